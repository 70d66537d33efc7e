// The pre-load snippet from README.md, served as a file so the page needs no
// inline script under its Content-Security-Policy. It defines a ChatWidget stub that
// queues calls until the async bundle loads and replays them in order.
(function (window) {
  var live = window.ChatWidget;
  // Only our own stub (its queue) or the loaded API count: an element with id="ChatWidget" does not.
  if (live && (Array.isArray(live.q) || live.__quincerChatWidget === true)) return;
  var queue = [];
  var stub = { q: queue };
  ['init', 'identify', 'logout', 'open', 'close', 'toggle', 'send', 'on', 'destroy'].forEach(function (method) {
    stub[method] = function () {
      var call = [method, Array.prototype.slice.call(arguments)];
      queue.push(call);
      if (method === 'send') return new Promise(function (resolve, reject) { call.push(resolve, reject); });
      if (method === 'on') return function () { call.cancelled = true; if (call.unbind) call.unbind(); };
    };
  });
  window.ChatWidget = stub;
})(window);
