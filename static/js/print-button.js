// The printable care plan's "Print this page" button (no inline scripts: the CSP allows scripts from 'self' only).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
