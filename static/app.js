// Gatehouse's own script: small progressive enhancements only (the pages work without it).
document.addEventListener("keydown", (event) => {
  // Escape closes an open workspace switcher.
  if (event.key === "Escape") {
    document.querySelectorAll("details.switcher[open]").forEach((d) => d.removeAttribute("open"));
  }
});
