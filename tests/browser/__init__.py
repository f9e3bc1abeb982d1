"""End-to-end tests of the lessons in JupyterLab, driven in Chromium by Playwright."""
