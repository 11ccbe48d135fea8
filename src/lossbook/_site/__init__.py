"""Site tooling: runs the snippets for the build and the tests (not part of the lessons' API)."""
