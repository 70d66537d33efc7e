// The sign-in page's own script (served as a file: the page allows no inline script).
// After a successful login it hands the token to the widget's window with the
// quincer-signin helper, which posts only to the allowed origin and closes the popup.
(function () {
  'use strict';
  var form = document.getElementById('login');
  var status = document.getElementById('status');
  var allowedOrigin = document.querySelector('meta[name="quincer-allowed-origin"]').content;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    say('Signing in…', false);
    fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: form.username.value, password: form.password.value }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body && body.error ? body.error.message : 'Sign-in failed. Try again.');
          return body;
        });
      })
      .then(function (body) {
        // Posts { type: 'quincer-identify', token, state } to window.opener with the
        // shop's origin as the explicit target, echoes quincer_state, and closes this window.
        var result = window.QuincerSignIn.postTokenToWidget({
          token: body.token,
          allowedOrigins: [allowedOrigin],
          messageElement: status,
        });
        if (result.ok) say('Signed in as ' + body.user.name + '. Returning you to the chat…', false);
        else status.className = 'error';
      })
      .catch(function (error) {
        say(error.message, true);
      });
  });
})();
