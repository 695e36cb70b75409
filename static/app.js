// Gatehouse's own script: small progressive enhancements only (the pages work without it).
document.addEventListener("keydown", (event) => {
  // Escape closes an open dropdown (workspace switcher, Invite Team, join requests).
  if (event.key === "Escape") {
    document.querySelectorAll("details.switcher[open], details.invite-menu[open], details.requests-popover[open]").forEach((d) => d.removeAttribute("open"));
  }
});

// The Invite dialog: htmx loads the form into it, then it opens as a modal.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (target.id === "invite-dialog-body") {
    const dialog = document.getElementById("invite-dialog");
    if (dialog && !dialog.open) dialog.showModal();
    const first = target.querySelector("textarea, input:not([type=hidden])");
    if (first) first.focus();
  }
  // Copy link: select the shown link and put it on the clipboard when allowed.
  target.querySelectorAll("[data-copy]").forEach((field) => {
    field.select();
    if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(() => {});
  });
});

document.addEventListener("click", (event) => {
  const closer = event.target.closest("[data-close-dialog]");
  const dialog = closer && closer.closest("dialog");
  if (dialog) {
    event.preventDefault();
    dialog.close();
  }
});

// Copy link on the Invite links list: copies the row's link field.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-from]");
  const field = button && document.getElementById(button.dataset.copyFrom);
  if (!field) return;
  field.select();
  if (navigator.clipboard) navigator.clipboard.writeText(field.value).catch(() => {});
  button.textContent = "Copied";
});
