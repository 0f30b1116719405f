// The bell: one websocket per browser tab, kept across Turbo page changes (the badge and the dropdown
// are looked up on every message because navigation replaces them); it reconnects with ?after= so
// nothing is missed. A live notification raises the badge, joins the dropdown and shows a toast.
// Opening a notification anywhere (the dropdown, the list, a toast) POSTs to its "open" address,
// which marks it read on the server and goes on to its page.
(function () {
  "use strict";
  if (window.__scBell) return;
  var last = 0, bell = window.__scBell = {};

  function byId(id) { return document.getElementById(id); }
  function badge(n) {
    var el = byId("bell-count");
    if (el) { el.textContent = n; el.dataset.count = n; }
  }
  function openUrl(id) {
    var b = byId("bell");
    return (b ? b.dataset.openUrl : "/cases/notifications/0/open/").replace("/0/", "/" + id + "/");
  }
  function token() {
    var input = document.querySelector("#bell input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function link(m, cls) {
    var a = document.createElement("a");
    a.href = openUrl(m.id);
    a.dataset.open = a.href;
    a.dataset.notification = m.id;
    if (cls) a.className = cls;
    var text = document.createElement("span");
    text.className = "sc-bell-text";
    text.textContent = m.text;
    a.appendChild(text);
    return a;
  }
  function toast(m) {
    var box = byId("sc-toasts"), b = byId("bell");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "sc-toast";
    t.appendChild(link(m));
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", b ? b.dataset.close : "Dismiss");
    close.addEventListener("click", function () { t.remove(); });
    t.appendChild(close);
    box.appendChild(t);
    while (box.children.length > 3) box.firstChild.remove();
  }
  function add(m) {
    var drop = byId("bell-drop"), empty = byId("bell-empty"), b = byId("bell");
    if (empty) empty.remove();
    if (drop) {
      var a = link(m), time = document.createElement("time");
      time.dateTime = m.created_at;
      time.title = (m.created_at || "").slice(0, 16).replace("T", " ");
      time.textContent = b ? b.dataset.justNow : "";
      a.appendChild(time);
      drop.insertBefore(a, drop.firstChild);
    }
    toast(m);
  }

  document.addEventListener("click", function (e) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest ? e.target.closest("a[data-open]") : null;
    if (!a) return;
    e.preventDefault();  // Turbo leaves a prevented click alone
    var form = document.createElement("form"), input = document.createElement("input");
    form.method = "post";
    form.action = a.dataset.open;
    form.hidden = true;
    form.setAttribute("data-turbo", "false");
    input.type = "hidden";
    input.name = "csrfmiddlewaretoken";
    input.value = token();
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  });

  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/notifications/" + (last ? "?after=" + last : ""));
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if (m.type === "unread") { bell.count = m.count; badge(m.count); }
      if (m.type === "notification" && m.id > last) {
        last = m.id; bell.count = (bell.count || 0) + 1; badge(bell.count);
        add(m);
      }
    };
    ws.onclose = function () { setTimeout(connect, 3000); };
  }
  connect();
})();
