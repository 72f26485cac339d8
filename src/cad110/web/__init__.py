"""The web console: pages, templates, static assets, translations."""
