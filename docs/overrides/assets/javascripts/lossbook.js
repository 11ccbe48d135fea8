// "Run this lesson": the pip command names the site the reader is on. The page is static
// and cannot know its own address; without JavaScript the placeholder stays.
document.querySelectorAll(".lossbook-run[data-root]").forEach((box) => {
  const index = new URL(box.dataset.root, window.location.href).href;
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeValue.includes(box.dataset.placeholder)) {
      node.nodeValue = node.nodeValue.split(box.dataset.placeholder).join(index);
    }
  }
});
