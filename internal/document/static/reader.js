// Dais document reader: text size, theme and layout (kept in localStorage), search in
// the document, pages, and picking a paragraph for a private note or bookmark. No inline
// script (the CSP forbids it); without this file the page still reads and the note form
// still works with a paragraph number.
(function () {
  "use strict";
  var tools = document.getElementById("reader-tools");
  var reader = document.getElementById("reader");
  var text = document.getElementById("doc-text");
  if (!tools || !reader || !text) return;
  var en = document.documentElement.lang === "en";
  var KEY = "dais.reader";
  var st = { size: 1.15, theme: "auto", layout: "scroll" };
  try { var saved = JSON.parse(localStorage.getItem(KEY) || "{}"); for (var k in saved) st[k] = saved[k]; } catch (e) {}
  function save() { try { localStorage.setItem(KEY, JSON.stringify(st)); } catch (e) {} }
  var themeSel = document.getElementById("reader-theme");
  var layoutSel = document.getElementById("reader-layout");
  var pageNav = document.getElementById("page-nav");
  var pageStatus = document.getElementById("page-status");

  function apply() {
    st.size = Math.min(2.4, Math.max(0.9, Number(st.size) || 1.15));
    reader.style.setProperty("--reader-size", st.size.toFixed(2) + "rem");
    reader.className = "reader theme-" + st.theme + " layout-" + st.layout;
    themeSel.value = st.theme;
    layoutSel.value = st.layout;
    pageNav.hidden = st.layout !== "pages";
    text.scrollLeft = 0;
    pageInfo();
  }
  // Pages: the article scrolls sideways one column (its own width) at a time.
  function pageWidth() { return text.clientWidth + parseFloat(getComputedStyle(text).columnGap || 0); }
  function pageInfo() {
    if (st.layout !== "pages") return;
    var w = pageWidth(), total = Math.max(1, Math.round(text.scrollWidth / w)), cur = Math.round(text.scrollLeft / w) + 1;
    pageStatus.textContent = (en ? "Page " : "Trang ") + cur + "/" + total;
  }
  function turn(d) { text.scrollLeft += d * pageWidth(); pageInfo(); }
  function show(el) {
    if (st.layout === "pages") {
      var w = pageWidth();
      text.scrollLeft = Math.floor((el.offsetLeft - text.offsetLeft) / w) * w;
      pageInfo();
    } else {
      el.scrollIntoView({ block: "center" });
    }
  }

  // Search: case-, tone-mark- and đ-blind, paragraph by paragraph.
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase(); }
  var paras = Array.prototype.slice.call(text.querySelectorAll("[data-n]"));
  var folded = paras.map(function (p) { return fold(p.textContent); });
  var hits = [], at = -1;
  var input = document.getElementById("reader-search");
  var status = document.getElementById("reader-search-status");
  function search() {
    hits.forEach(function (p) { p.classList.remove("hit", "current"); });
    hits = []; at = -1;
    var q = fold(input.value.trim());
    if (q.length < 2) { status.textContent = ""; return; }
    paras.forEach(function (p, i) { if (folded[i].indexOf(q) >= 0) { p.classList.add("hit"); hits.push(p); } });
    if (!hits.length) { status.textContent = en ? "No match" : "Không thấy"; return; }
    step(1);
  }
  function step(d) {
    if (!hits.length) return;
    if (at >= 0) hits[at].classList.remove("current");
    at = (at + d + hits.length) % hits.length;
    hits[at].classList.add("current");
    status.textContent = (at + 1) + "/" + hits.length;
    show(hits[at]);
  }
  var timer;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
  input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); step(e.shiftKey ? -1 : 1); } });

  // Notes and bookmarks: tapping a paragraph opens the (otherwise static) form for it.
  var panel = document.getElementById("mark-panel");
  var paraInput = document.getElementById("mark-para");
  var body = document.getElementById("mark-body");
  var selected = null;
  var close = document.createElement("button");
  close.type = "button"; close.className = "secondary"; close.textContent = en ? "Close" : "Đóng"; close.hidden = true;
  panel.querySelector(".actions").appendChild(close);
  function pick(p) {
    if (selected) selected.classList.remove("selected");
    selected = p; p.classList.add("selected");
    paraInput.value = p.getAttribute("data-n");
    var note = panel.querySelector('li[data-kind="note"][data-para="' + p.getAttribute("data-n") + '"]');
    body.value = note ? note.getAttribute("data-body") : "";
    panel.classList.add("floating"); close.hidden = false;
    body.focus({ preventScroll: true });
  }
  function unpick() {
    panel.classList.remove("floating"); close.hidden = true;
    if (selected) { selected.classList.remove("selected"); selected = null; }
  }
  close.addEventListener("click", unpick);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") unpick(); });
  text.addEventListener("click", function (e) {
    if (e.target.closest("a")) return;
    var p = e.target.closest("[data-n]");
    if (p && text.contains(p)) pick(p);
  });

  tools.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-act]");
    if (!b) return;
    var act = b.getAttribute("data-act");
    if (act === "smaller") st.size -= 0.1;
    if (act === "larger") st.size += 0.1;
    if (act === "search-next") return step(1);
    if (act === "search-prev") return step(-1);
    save(); apply();
  });
  pageNav.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-act]");
    if (b) turn(b.getAttribute("data-act") === "page-next" ? 1 : -1);
  });
  themeSel.addEventListener("change", function () { st.theme = themeSel.value; save(); apply(); });
  layoutSel.addEventListener("change", function () { st.layout = layoutSel.value; save(); apply(); });
  window.addEventListener("resize", pageInfo);
  document.addEventListener("keydown", function (e) {
    if (st.layout !== "pages" || /INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) return;
    if (e.key === "ArrowRight" || e.key === "PageDown") { turn(1); e.preventDefault(); }
    if (e.key === "ArrowLeft" || e.key === "PageUp") { turn(-1); e.preventDefault(); }
  });
  tools.hidden = false;
  apply();
})();
