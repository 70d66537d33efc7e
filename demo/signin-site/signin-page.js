// The sign-in page's own script (served as a file: the page allows no inline script).
// On load it announces itself to the widget (which matters only when a
// Cross-Origin-Opener-Policy cut window.opener) and signs in at once when the visitor is
// remembered here; after a successful login it hands the token to the widget with the
// quincer-signin helper, which picks the channel: window.opener (postMessage to the allowed
// origin only), else the chat backend's relay, else (same origin) a BroadcastChannel.
(function () {
  'use strict';
  var form = document.getElementById('login');
  var status = document.getElementById('status');
  var allowedOrigin = document.querySelector('meta[name="quincer-allowed-origin"]').content;
  // The relay is configured here, on the sign-in page, never taken from the query string.
  var relayUrl = document.querySelector('meta[name="quincer-relay-url"]').content;
  var helper = window.QuincerSignIn;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  function handOver(body) {
    say('Signed in as ' + body.user.name + '. Returning you to the chat…', false);
    return Promise.resolve(
      helper.postTokenToWidget({ token: body.token, allowedOrigins: [allowedOrigin], relayUrl: relayUrl, messageElement: status }),
    ).then(function (result) {
      document.body.dataset.result = result.code;
      if (!result.ok) status.className = 'error';
    });
  }

  function request(path, payload) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload || {}) })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            var error = new Error(body && body.error ? body.error.message : 'Sign-in failed. Try again.');
            error.code = body && body.error ? body.error.code : '';
            throw error;
          }
          return body;
        });
      });
  }

  helper.announceSignIn({ allowedOrigins: [allowedOrigin], relayUrl: relayUrl }).then(function (code) {
    document.body.dataset.announced = code;
  });

  // A visitor remembered here signs in at once, as with a real session cookie.
  request('/session').then(
    function (body) { return handOver(body); },
    function () { /* Not remembered: the form it is. */ },
  );

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    say('Signing in…', false);
    request('/login', { username: form.username.value, password: form.password.value, remember: form.remember.checked })
      .then(handOver)
      .catch(function (error) { say(error.message, true); });
  });
})();
