// The GraphiQL page's own script (served as an asset; see graphiql-page.ts). It runs before the
// GraphiQL bundle: Monaco looks up its workers' URLs when the bundle loads.
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);

  // Same-origin worker files instead of the blob: URLs yoga's own page builds (the CSP allows
  // only this origin).
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return config.workers[label];
    },
  };

  var form = document.getElementById('sign-in');
  var input = document.getElementById('token');
  var error = document.getElementById('sign-in-error');
  var button = form.querySelector('button');

  function checkToken(token) {
    return fetch(config.endpoint, {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) throw new Error('This token is not accepted.');
      if (!response.ok) throw new Error('The gateway answered ' + response.status + '.');
    });
  }

  function open(token) {
    var root = document.getElementById('graphiql');
    form.hidden = true;
    root.hidden = false;
    // The token goes with every HTTP request (additionalHeaders) and in graphql-ws's
    // connectionParams, never into the headers editor, so header persistence has nothing to keep.
    window.YogaGraphiQL.renderYogaGraphiQL(root, {
      title: config.title,
      endpoint: config.endpoint,
      subscriptionsProtocol: 'WS',
      additionalHeaders: { Authorization: 'Bearer ' + token },
      connectionParams: { authorization: 'Bearer ' + token },
      shouldPersistHeaders: false,
      defaultTabs: config.defaultTabs,
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var token = input.value.trim();
    if (token === '') return;
    error.textContent = '';
    button.disabled = true;
    checkToken(token).then(
      function () {
        input.value = '';
        open(token);
      },
      function (failure) {
        error.textContent = failure.message || String(failure);
        button.disabled = false;
      },
    );
  });
})();
