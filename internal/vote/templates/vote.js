// The strike-out ballot: counts the names kept ("kept N of max K") as the delegate taps,
// and refuses to send a ballot keeping more than K (the server refuses it too).
(function () {
  function setup(form) {
    var max = parseInt(form.dataset.max, 10);
    var out = form.querySelector('.kept');
    var boxes = form.querySelectorAll('input[name=keep]');
    if (!out || !boxes.length) return;
    out.hidden = false;
    function update() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) n++; });
      var over = n > max;
      out.textContent = (over ? form.dataset.msgOver : form.dataset.msgCount).replace('%d', n).replace('%d', max);
      out.classList.toggle('over', over);
      return over;
    }
    boxes.forEach(function (b) { b.addEventListener('change', update); });
    form.addEventListener('submit', function (e) { if (update()) { e.preventDefault(); out.focus(); } });
    update();
  }
  document.querySelectorAll('form.ballot-form').forEach(setup);
})();
