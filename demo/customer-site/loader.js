// PLACEHOLDER until docs/widget.md's snippet lands.
(function (w) {
  if (w.ChatWidget) return;
  var queue = [];
  var stub = { q: queue };
  ['init', 'identify', 'logout', 'open', 'close', 'toggle', 'send', 'on', 'destroy'].forEach(function (method) {
    stub[method] = function () {
      queue.push([method].concat(Array.prototype.slice.call(arguments)));
    };
  });
  w.ChatWidget = stub;
})(window);
