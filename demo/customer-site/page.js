// The shop page's own script. The widget may not have loaded yet (the bundle is async):
// every ChatWidget call below goes through the pre-load snippet's queue until it has.
(function () {
  'use strict';
  var apiUrl = document.querySelector('meta[name="quincer-api-url"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var userSelect = $('user');
  var accountStatus = $('account-status');
  var modeStatus = $('mode-status');
  var adminResult = $('admin-result');
  var eventsList = $('events');

  var EVENTS = ['ready', 'open', 'close', 'message', 'identify', 'logout', 'signin-required', 'signin-complete',
    'signin-cancelled', 'signin-blocked', 'error'];

  function describe(name, payload) {
    if (!payload || typeof payload !== 'object') return '';
    if (name === 'error') return [payload.code, payload.message].filter(Boolean).join(': ');
    if (name === 'message') return (payload.role || payload.type || '') + (payload.text ? ' — ' + String(payload.text).slice(0, 80) : '');
    if (payload.reason) return 'reason ' + payload.reason;
    return '';
  }

  function logEvent(name, payload) {
    var item = document.createElement('li');
    item.dataset.event = name;
    var detail = describe(name, payload);
    item.textContent = new Date().toLocaleTimeString() + '  ' + name + (detail ? '  ' + detail : '');
    eventsList.appendChild(item);
    eventsList.scrollTop = eventsList.scrollHeight;
  }

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw new Error(json && json.error ? json.error.message : 'Request failed: ' + response.status);
          return json;
        });
      });
  }

  function tokenFor(username, kind) {
    return post('/demo/token', { username: username, kind: kind }).then(function (body) { return body.token; });
  }

  function showMode(state) {
    modeStatus.textContent = 'Mode: ' + (state.mode === 'hmac' ? 'HMAC shared secret (HS256)' : 'JWT + JWKS (ES256, key ' + state.kid + ')');
  }

  function report(error) {
    adminResult.textContent = error.message;
    adminResult.className = 'error';
  }

  var options = { apiUrl: apiUrl };
  // ?signInTimeoutMs=1500 shortens the popup's time limit, to see (and test) a sign-in that times out.
  var signInTimeoutMs = Number(new URLSearchParams(location.search).get('signInTimeoutMs'));
  if (isFinite(signInTimeoutMs) && signInTimeoutMs > 0) options.signInTimeoutMs = signInTimeoutMs;
  // ?signInUrl=same-origin uses the sign-in page on this shop's own origin (BroadcastChannel path).
  if (new URLSearchParams(location.search).get('signInUrl') === 'same-origin') options.signInUrl = location.origin + '/signin';
  ChatWidget.init(options);
  EVENTS.forEach(function (name) {
    ChatWidget.on(name, function (payload) { logEvent(name, payload); });
  });
  // The popup signs the chat in without the shop's own sign-in; say so on the page.
  ChatWidget.on('signin-complete', function () {
    accountStatus.textContent = 'The chat is signed in through the popup (the shop itself is not).';
  });
  ChatWidget.on('logout', function () {
    accountStatus.textContent = 'Not signed in (anonymous visitor).';
  });

  $('sign-in').addEventListener('click', function () {
    var username = userSelect.value;
    tokenFor(username, 'valid').then(function (token) {
      // The refresh provider asks the shop for a fresh token for the same user.
      ChatWidget.identify({ token: token, refresh: function () { return tokenFor(username, 'valid'); } });
      accountStatus.textContent = 'Signed in on the shop as ' + username + '.';
    }, report);
  });

  $('sign-out').addEventListener('click', function () {
    ChatWidget.logout();
  });

  Array.prototype.forEach.call(document.querySelectorAll('.ask'), function (button) {
    button.addEventListener('click', function () {
      ChatWidget.open();
      var sent = ChatWidget.send(button.dataset.text);
      if (sent && typeof sent.catch === 'function') sent.catch(function (error) { logEvent('error', { message: error.message }); });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('.bad-token'), function (button) {
    button.addEventListener('click', function () {
      var username = userSelect.value;
      tokenFor(username, button.dataset.kind).then(function (token) {
        ChatWidget.identify({ token: token });
        accountStatus.textContent = 'Identified with a ' + button.textContent.toLowerCase() + ' for ' + username + '. Now ask for your balance.';
      }, report);
    });
  });

  function setMode(mode) {
    post('/demo/mode', { mode: mode }).then(function (state) {
      showMode(state);
      adminResult.className = '';
      adminResult.textContent = mode === 'hmac'
        ? 'Generated a secret, saved HMAC mode; the sign-in site now signs HS256. Sign in again.'
        : 'Saved JWKS mode; the sign-in site signs ES256 again. Sign in again.';
    }, report);
  }
  $('mode-jwks').addEventListener('click', function () { setMode('jwks'); });
  $('mode-hmac').addEventListener('click', function () { setMode('hmac'); });

  $('rotate-key').addEventListener('click', function () {
    post('/demo/rotate-key').then(function (body) {
      adminResult.className = '';
      adminResult.textContent = 'The identity provider now signs with key ' + body.kid + '. The backend still has its cached keys: a new token may be refused (bad-signature) until you Refresh JWKS.';
      return fetch('/demo/state').then(function (response) { return response.json(); }).then(showMode);
    }, report);
  });

  $('refresh-jwks').addEventListener('click', function () {
    post('/demo/refresh-jwks', { username: userSelect.value }).then(function (result) {
      adminResult.className = result.ok ? '' : 'error';
      adminResult.textContent = result.ok
        ? 'Refreshed the JWKS; a fresh token verifies as ' + result.identity.userId + '.'
        : 'Refreshed the JWKS; a fresh token is refused: ' + result.reason + ' — ' + result.message;
    }, report);
  });

  fetch('/demo/state').then(function (response) { return response.json(); }).then(showMode, report);

  // The Cross-Origin-Opener-Policy switches (docs/coop.md): this page's own (a reload with ?coop=) and the sign-in site's.
  var shopCoop = $('shop-coop');
  var signInCoop = $('signin-coop');
  var coopStatus = $('coop-status');
  shopCoop.value = new URLSearchParams(location.search).get('coop') || '';
  shopCoop.addEventListener('change', function () {
    var params = new URLSearchParams(location.search);
    if (shopCoop.value) params.set('coop', shopCoop.value);
    else params.delete('coop');
    var search = params.toString();
    location.search = search ? '?' + search : '';
  });
  fetch('/demo/signin-coop').then(function (response) { return response.json(); }).then(function (body) {
    signInCoop.value = body.coop || '';
  }, report);
  signInCoop.addEventListener('change', function () {
    post('/demo/signin-coop', { coop: signInCoop.value || null }).then(function (body) {
      coopStatus.textContent = 'The sign-in page now sends ' + (body.coop ? 'Cross-Origin-Opener-Policy: ' + body.coop : 'no COOP header') + '.';
    }, report);
  });
})();
