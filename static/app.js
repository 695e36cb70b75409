// Gatehouse's own script: small progressive enhancements only (the pages work without it).
// Buttons only forms without JavaScript need (the Members filters' Apply) hide by class.
document.documentElement.classList.add("js");

// ---- Menus and popovers: <details> whose summary is the button ----
// Role and row "…" menus, the workspace switcher, Invite Team and the join requests.
// Opening one closes the others; an open panel is moved back inside the window (shifted
// sideways, flipped above its button when it would pass the bottom edge); arrow keys
// move through a menu's items; Escape closes it and returns focus to its button.
const MENUS = "details.menu-button, details.switcher, details.invite-menu, details.requests-popover";
const MARGIN = 8;

const panelOf = (details) => details.querySelector(":scope > .menu, :scope > .popover-body");
const summaryOf = (details) => details.querySelector(":scope > summary");
const itemsOf = (details) => {
  const panel = panelOf(details);
  return panel ? [...panel.querySelectorAll("a[href], button:not([disabled])")] : [];
};

// Shifts and flips through a class and the CSSOM (the CSP allows neither inline styles
// nor style attributes, but a script's own property changes are fine).
function place(details) {
  const panel = panelOf(details);
  if (!panel) return;
  panel.classList.remove("opens-up");
  panel.style.removeProperty("translate");
  const width = document.documentElement.clientWidth;
  const box = panel.getBoundingClientRect();
  let dx = 0;
  if (box.right > width - MARGIN) dx = width - MARGIN - box.right;
  if (box.left + dx < MARGIN) dx = MARGIN - box.left;
  if (dx !== 0) panel.style.setProperty("translate", `${Math.round(dx)}px 0`);
  const button = summaryOf(details).getBoundingClientRect();
  const below = box.bottom > window.innerHeight - MARGIN;
  if (below && button.top - box.height - MARGIN >= 0) panel.classList.add("opens-up");
}

// Each menu button says whether its menu is open, from the start and after every swap.
function markMenus(root) {
  root.querySelectorAll(MENUS).forEach((d) => summaryOf(d).setAttribute("aria-expanded", String(d.open)));
}

// ---- Members: each row's role menu and "…" menu, copied from the page's template ----
// A row the viewer may manage carries only its role and whether it is suspended (on its
// last cell); its menus come from #member-menus, with the row's address, its name, the
// list to come back to (the table's data-back), the current role marked and Suspend or
// Reactivate as the row's status says.
// Without JavaScript the same controls are on the member's own page, where the name leads.
function fillRowMenus(menus, row, cell, back) {
  const link = row.querySelector("a.member-name");
  const url = link.getAttribute("href");
  menus.querySelectorAll("[data-name]").forEach((e) => { e.textContent = link.textContent; });
  menus.querySelectorAll("input[name=back]").forEach((e) => { e.value = back; });
  menus.querySelectorAll("[data-action]").forEach((e) => {
    const to = `${url}/${e.dataset.action}`;
    e.setAttribute(e.tagName === "A" ? "href" : "action", to);
    e.setAttribute(e.tagName === "A" ? "hx-get" : "hx-post", to);
  });
  const unused = cell.hasAttribute("data-suspended") ? "[data-unless-suspended]" : "[data-if-suspended]";
  menus.querySelectorAll(unused).forEach((e) => e.remove());
  menus.querySelectorAll("button[name=role]").forEach((button) => {
    if (button.value === cell.dataset.role) {
      button.setAttribute("aria-current", "true");
      button.disabled = true;
    } else if (button.hasAttribute("data-only-current")) {
      button.remove();
    }
  });
}

// The menu button a row action was chosen from: focus goes back to it in the new row.
let refocusAfterSwap = null;

function buildRowMenus(root) {
  const template = document.getElementById("member-menus");
  if (!template || !(root instanceof Element)) return;
  root.querySelectorAll("td.actions[data-role]").forEach((cell) => {
    const row = cell.closest("tr");
    const table = row.closest("table[data-back]");
    if (!table || !row.querySelector("a.member-name") || cell.firstElementChild) return;
    const id = row.id.replace(/^member-/, "");
    const menus = template.content.cloneNode(true);
    fillRowMenus(menus, row, cell, table.dataset.back);
    const [roleMenu, rowMenu] = menus.querySelectorAll("details");
    const roleCell = row.querySelector("td.role");
    if (roleMenu.querySelectorAll("button[name=role]").length > 1) {
      roleMenu.querySelector("[data-role-label]").textContent = roleCell.textContent;
      summaryOf(roleMenu).id = `role-${id}`;
      roleCell.replaceChildren(roleMenu);
    }
    summaryOf(rowMenu).id = `actions-${id}`;
    cell.replaceChildren(rowMenu);
    markMenus(row);
    if (window.htmx) window.htmx.process(row);
    const again = refocusAfterSwap && document.getElementById(refocusAfterSwap);
    if (again && row.contains(again)) {
      again.focus();
      refocusAfterSwap = null;
    }
  });
}

// Rows htmx swaps in get their menus as they are added, before the page is painted.
buildRowMenus(document.documentElement);
new MutationObserver((changes) => {
  changes.forEach((change) => change.addedNodes.forEach(buildRowMenus));
}).observe(document.documentElement, { childList: true, subtree: true });

markMenus(document);
document.addEventListener("htmx:load", (event) => {
  const elt = event.detail.elt;
  if (elt.parentElement) markMenus(elt.parentElement);
});

function close(details, refocus) {
  details.removeAttribute("open");
  if (refocus) summaryOf(details).focus();
}

document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.matches(MENUS)) return;
    summaryOf(details).setAttribute("aria-expanded", String(details.open));
    if (!details.open) return;
    document.querySelectorAll(MENUS).forEach((other) => {
      if (other !== details && other.open && !other.contains(details)) other.removeAttribute("open");
    });
    place(details);
  },
  true,
);

// A click outside an open menu closes it.
document.addEventListener("click", (event) => {
  document.querySelectorAll(MENUS).forEach((details) => {
    if (details.open && !details.contains(event.target)) details.removeAttribute("open");
  });
});

// Keyboard: ArrowDown/ArrowUp on a menu's button opens it at its first/last item; inside,
// the arrows, Home and End move between items; Escape closes and refocuses the button.
function moveFocus(details, key) {
  const items = itemsOf(details);
  if (items.length === 0) return;
  const at = items.indexOf(document.activeElement);
  const last = items.length - 1;
  const next = {
    ArrowDown: at < 0 || at === last ? 0 : at + 1,
    ArrowUp: at <= 0 ? last : at - 1,
    Home: 0,
    End: last,
  }[key];
  items[next].focus();
}

document.addEventListener("keydown", (event) => {
  const details = event.target.closest && event.target.closest(MENUS);
  if (event.key === "Escape") {
    const open = details && details.open ? details : document.querySelector(`:is(${MENUS})[open]`);
    if (open) {
      event.preventDefault();
      close(open, open.contains(document.activeElement));
    }
    return;
  }
  if (!details || !["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
  if (!panelOf(details) || !panelOf(details).classList.contains("menu")) return;
  const onButton = event.target === summaryOf(details);
  if (onButton && (event.key === "Home" || event.key === "End")) return;
  event.preventDefault();
  if (!details.open) details.setAttribute("open", "");
  moveFocus(details, onButton && event.key === "ArrowUp" ? "End" : event.key);
});

// Tabbing out of a menu or popover closes it: nothing stays open behind the focus.
document.addEventListener("focusout", (event) => {
  const details = event.target.closest && event.target.closest(MENUS);
  if (details && details.open && event.relatedTarget && !details.contains(event.relatedTarget)) {
    details.removeAttribute("open");
  }
});

// ---- Modal dialogs keep Tab and Shift+Tab inside ----
// The page behind a modal <dialog> is inert, but Tab from its last control would go on to
// the browser's own; it wraps round to the first instead (and Shift+Tab to the last).
const STOPS = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled])";

document.addEventListener("keydown", (event) => {
  if (event.key !== "Tab") return;
  const dialog = document.querySelector("dialog:modal");
  if (!dialog) return;
  const stops = [...dialog.querySelectorAll(STOPS)].filter((e) => e.getClientRects().length > 0);
  if (stops.length === 0) return;
  const first = stops[0];
  const last = stops[stops.length - 1];
  const inside = dialog.contains(document.activeElement);
  if (event.shiftKey && (!inside || document.activeElement === first)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
    event.preventDefault();
    first.focus();
  }
});

// ---- The Members page ----
// The row menu that opened the removal dialog, to return focus to when it closes.
let removalOpener = null;

document.addEventListener("htmx:beforeRequest", (event) => {
  const details = event.detail.elt.closest && event.detail.elt.closest("details.menu-button");
  if (details && details.open) {
    if (details.matches(".row-menu")) removalOpener = summaryOf(details);
    const chosen = event.detail.requestConfig && event.detail.requestConfig.verb === "post";
    if (chosen && details.contains(document.activeElement)) refocusAfterSwap = summaryOf(details).id;
    details.removeAttribute("open");
  }
});

// Only the swap that answers the action takes the focus back.
document.addEventListener("htmx:afterSettle", () => {
  refocusAfterSwap = null;
});

document.addEventListener("htmx:afterRequest", (event) => {
  const dialog = event.detail.elt.closest && event.detail.elt.closest("#remove-dialog");
  if (dialog && dialog.open && event.detail.requestConfig.verb === "post") dialog.close();
});

document.addEventListener("close", (event) => {
  if (event.target.id !== "remove-dialog") return;
  const back = removalOpener && removalOpener.isConnected ? removalOpener : document.getElementById("q");
  if (back) back.focus();
  removalOpener = null;
}, true);

// ---- Join requests: "Approve all" reads "Approve selected" once some are ticked ----
document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest(".requests-form");
  const button = form && form.querySelector("#approve-all");
  if (!button) return;
  if (!button.dataset.allLabel) button.dataset.allLabel = button.textContent;
  const ticked = form.querySelectorAll("input[name=ids]:checked").length;
  button.textContent = ticked > 0 ? button.dataset.someLabel : button.dataset.allLabel;
});

// ---- After htmx swaps ----
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  // The Invite dialog: htmx loads the form into it, then it opens as a modal.
  if (target.id === "invite-dialog-body") {
    const dialog = document.getElementById("invite-dialog");
    if (dialog && !dialog.open) dialog.showModal();
    const first = target.querySelector("textarea, input:not([type=hidden])");
    if (first) first.focus();
  }
  // The removal confirmation: opens as a modal, focus on Cancel (the safe choice).
  if (target.id === "remove-dialog-body") {
    const dialog = document.getElementById("remove-dialog");
    if (dialog && !dialog.open) dialog.showModal();
    const cancel = target.querySelector("[data-close-dialog]");
    if (cancel) cancel.focus();
  }
  // New results: the count is announced.
  if (target.id === "member-results") {
    const count = document.getElementById("member-count");
    const status = document.getElementById("member-status");
    if (count && status) status.textContent = count.textContent;
  }
  // A popover answered in place (join requests) stays inside the window.
  document.querySelectorAll(`:is(${MENUS})[open]`).forEach(place);
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

// ---- Invite Team → Invite by link (header) ----
// htmx loads this person's Member link into the dialog; it opens as a modal with focus on
// Copy link, and the Invite Team menu closes behind it.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id !== "invite-link-body") return;
  const dialog = document.getElementById("invite-link-dialog");
  document.querySelectorAll("details.invite-menu[open]").forEach((d) => d.removeAttribute("open"));
  if (dialog && !dialog.open) dialog.showModal();
  const copy = event.detail.target.querySelector("[data-copy-from], [data-close-dialog]");
  if (copy) copy.focus();
});

// Closing it returns focus to Invite Team.
document.addEventListener("close", (event) => {
  if (event.target.id !== "invite-link-dialog") return;
  const button = document.querySelector("details.invite-menu > summary");
  if (button) button.focus();
}, true);
