// kavach-ledger dashboard: plain JavaScript against the same /v1 API and the same tokens.
// Every value that comes from the API is written with textContent (names are tenant input).
(function () {
  'use strict';

  var STORAGE_KEY = 'kavach.credential';
  var POLL_MS = 5000;
  var AGENTS_SHOWN_MAX = 50;
  var money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 6 });
  var percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  var timer = null;
  var chart = null;
  var generation = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function credential() { return sessionStorage.getItem(STORAGE_KEY); }
  function isApiKey(value) { return /^ak_/.test(value); }

  /** The JWT's claims, read only to choose what to show; the service checks every request. */
  function claims(token) {
    try {
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    } catch (e) { return null; }
  }

  function api(path, options) {
    options = options || {};
    var headers = { 'Authorization': 'Bearer ' + credential(), 'Accept': 'application/json' };
    if (options.body) { headers['Content-Type'] = 'application/json'; }
    return fetch(path, { method: options.method || 'GET', headers: headers, body: options.body, cache: 'no-store' })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
          return { status: response.status, body: body };
        });
      });
  }

  function setStatus(text, offline) {
    var status = $('status');
    status.textContent = text;
    status.classList.toggle('offline', !!offline);
  }

  // ------------------------------------------------------------------ sign in and out

  function showSignIn(message) {
    generation++;
    clearTimeout(timer);
    sessionStorage.removeItem(STORAGE_KEY);
    $('sign-in').hidden = false;
    $('board').hidden = true;
    $('key-view').hidden = true;
    $('key-budgets').replaceChildren();
    $('budgets').replaceChildren();
    $('who').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in-error').textContent = message || '';
    setStatus('');
    if (message) { $('credential').focus(); }
  }

  function refusedMessage(result) {
    if (result.status === 401) {
      return 'This token or key was refused (401 Unauthorized): it has expired, was revoked, was mistyped, ' +
        'or was signed by a key this service does not trust. Paste a fresh one.';
    }
    if (result.status === 403) {
      return 'This credential may not read the dashboard (403 Forbidden): sign in with an admin or viewer token.';
    }
    return 'The service answered ' + result.status + '; try again.';
  }

  function signIn(value) {
    value = value.trim();
    $('sign-in-error').textContent = '';
    if (!value) { $('sign-in-error').textContent = 'Paste a token or an API key first.'; return; }
    if (/\s/.test(value)) { $('sign-in-error').textContent = 'A token has no spaces or line breaks: paste only the token itself.'; return; }
    if (!isApiKey(value) && claims(value) === null) {
      $('sign-in-error').textContent = 'That is neither a token (three dot-separated parts, eyJ…) nor an API key (ak_…).';
      return;
    }
    sessionStorage.setItem(STORAGE_KEY, value);
    start(true);
  }

  function start(fromForm) {
    var value = credential();
    if (!value) { showSignIn(''); return; }
    if (isApiKey(value)) {
      $('sign-in').hidden = true;
      $('key-view').hidden = false;
      $('who').hidden = false;
      $('who').textContent = 'API key ' + value.slice(0, 12) + '…';
      $('sign-out').hidden = false;
      return;
    }
    var c = claims(value) || {};
    var groups = c.groups || [];
    var admin = groups.indexOf('admin') >= 0;
    setStatus('Loading…');
    api('/v1/org/budgets').then(function (result) {
      if (result.status !== 200) {
        showSignIn(refusedMessage(result));
        return;
      }
      $('sign-in').hidden = true;
      $('board').hidden = false;
      $('who').hidden = false;
      $('who').textContent = 'org ' + c.org + ' · ' + (admin ? 'admin' : 'viewer');
      $('sign-out').hidden = false;
      document.body.classList.toggle('viewer', !admin);
      document.body.dataset.role = admin ? 'admin' : 'viewer';
      if (fromForm) { $('credential').value = ''; }
      poll(++generation, admin);
    }, function () {
      if (fromForm) {
        showSignIn('The service does not answer. Is it running? (Start it with ./mvnw quarkus:dev.)');
        return;
      }
      // A restart: keep the credential and try again.
      setStatus('The service does not answer; retrying every ' + (POLL_MS / 1000) + ' s…', true);
      timer = setTimeout(function () { start(false); }, POLL_MS);
    });
  }

  // ------------------------------------------------------------------ polling

  function poll(mine, admin) {
    if (mine !== generation) { return; }
    refresh(admin).then(function (outcome) {
      if (mine !== generation) { return; }
      if (outcome === 'unauthorized') {
        showSignIn('Your token was refused (401): it expired or its key changed. Sign in again.');
        return;
      }
      if (outcome === 'offline') {
        setStatus('The service does not answer (restarting?); retrying every ' + (POLL_MS / 1000) + ' s…', true);
      } else {
        setStatus('Updated ' + new Date().toLocaleTimeString() + ' · refreshes every ' + (POLL_MS / 1000) + ' s');
      }
      timer = setTimeout(function () { poll(mine, admin); }, POLL_MS);
    });
  }

  function refresh(admin) {
    var today = new Date();
    var to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1));
    var from = new Date(to.getTime() - 30 * 86400000);
    var range = 'from=' + from.toISOString().slice(0, 10) + '&to=' + to.toISOString().slice(0, 10);
    var requests = [
      api('/v1/org/budgets'), api('/v1/shared-budgets'), api('/v1/agents?limit=' + AGENTS_SHOWN_MAX),
      api('/v1/spend?' + range + '&group_by=day'), api('/v1/spend?' + range + '&group_by=agent&limit=20'),
      api('/v1/spend?' + range + '&group_by=model&limit=20'), api('/v1/spend?' + range + '&group_by=provider&limit=20'),
      api('/v1/refusals?limit=20')
    ];
    return Promise.all(requests).then(function (results) {
      if (results.some(function (r) { return r.status === 401; })) { return 'unauthorized'; }
      if (results.some(function (r) { return r.status !== 200; })) { return 'offline'; }
      renderBudgets(results[0].body.budgets, results[1].body.shared_budgets);
      renderSpend(results[3].body, from);
      renderBars('by-agent', results[4].body.rows, 'agent');
      renderBars('by-model', results[5].body.rows, 'model');
      renderBars('by-provider', results[6].body.rows, 'provider');
      renderRefusals(results[7].body.refusals);
      var agents = results[2].body.agents;
      return Promise.all(agents.map(function (agent) {
        return api('/v1/agents/' + encodeURIComponent(agent.name) + '/budget');
      })).then(function (states) {
        if (states.some(function (r) { return r.status === 401; })) { return 'unauthorized'; }
        renderAgents(agents, states.map(function (r) { return r.status === 200 ? r.body : null; }), admin,
          results[2].body.has_more);
        return 'ok';
      });
    }, function () { return 'offline'; });
  }

  // ------------------------------------------------------------------ rendering

  function budgetCard(state, members) {
    var card = el('article', { 'class': 'card', 'data-key': state.key });
    card.appendChild(el('h3', {}, state.key));
    var used = Math.max(0, Number(state.utilization) || 0);
    var meter = el('div', { 'class': 'meter' + (used >= 1 ? ' bad' : used >= 0.8 ? ' warn' : ''), 'role': 'progressbar',
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(Math.min(used, 1) * 100)),
      'aria-label': state.key + ' utilisation', 'data-utilization': String(state.utilization) });
    var fill = el('span', {});
    fill.style.width = Math.min(used, 1) * 100 + '%';
    meter.appendChild(fill);
    card.appendChild(meter);
    var dl = el('dl', {});
    function row(term, value, testid) {
      dl.appendChild(el('dt', {}, term));
      dl.appendChild(el('dd', testid ? { 'data-field': testid } : {}, value));
    }
    row('Used', percent.format(used), 'utilization');
    row('Spent', money.format(state.spent) + ' of ' + money.format(state.limit_value), 'spent');
    row('Reserved', money.format(state.reserved));
    row('Remaining', money.format(state.remaining), 'remaining');
    row('Window ends', state.window_end ? state.window_end.replace('T', ' ').replace(/:00(\.0+)?Z$/, ' UTC') : 'never (total)');
    if (members) { row('Members', members.length ? members.join(', ') : 'none'); }
    card.appendChild(dl);
    return card;
  }

  function renderBudgets(orgBudgets, pools) {
    var box = $('budgets');
    box.replaceChildren();
    orgBudgets.forEach(function (b) { box.appendChild(budgetCard(b, null)); });
    pools.forEach(function (p) { box.appendChild(budgetCard(p, p.agents)); });
    if (!box.children.length) {
      box.appendChild(el('p', { 'class': 'muted' }, 'No org budgets or pools yet: POST /v1/org/budgets or /v1/shared-budgets.'));
    }
  }

  function renderAgents(agents, states, admin, more) {
    var body = $('agents').querySelector('tbody');
    body.replaceChildren();
    agents.forEach(function (agent, i) {
      var state = states[i] || {};
      var tr = el('tr', { 'data-agent': agent.name });
      tr.appendChild(el('th', { scope: 'row' }, agent.name));
      tr.appendChild(el('td', {}, state.binding || 'none'));
      tr.appendChild(el('td', { 'class': 'num' }, state.remaining === null || state.remaining === undefined ? '—' : money.format(state.remaining)));
      var cell = el('td', {});
      if (agent.paused) {
        cell.appendChild(el('span', { 'class': 'paused', 'data-field': 'state' }, 'Paused'));
        if (agent.paused_reason) { cell.appendChild(document.createTextNode(' — ' + agent.paused_reason)); }
        if (agent.paused_until) { cell.appendChild(document.createTextNode(' (until ' + new Date(agent.paused_until).toLocaleString() + ')')); }
      } else {
        cell.appendChild(el('span', { 'class': 'running', 'data-field': 'state' }, 'Running'));
      }
      tr.appendChild(cell);
      var action = el('td', { 'class': 'admin-only' });
      if (admin) {
        var verb = agent.paused ? 'resume' : 'pause';
        var button = el('button', { type: 'button', 'class': agent.paused ? 'secondary' : '', 'data-action': verb,
          'aria-label': (agent.paused ? 'Resume ' : 'Pause ') + agent.name }, agent.paused ? 'Resume' : 'Pause');
        button.addEventListener('click', function () { pauseOrResume(agent.name, verb, button); });
        action.appendChild(button);
      }
      tr.appendChild(action);
      body.appendChild(tr);
    });
    if (!agents.length) {
      var empty = el('tr', {});
      empty.appendChild(el('td', { colspan: '5', 'class': 'muted' }, 'No agents yet: they appear with their first spend.'));
      body.appendChild(empty);
    } else if (more) {
      var note = el('tr', {});
      note.appendChild(el('td', { colspan: '5', 'class': 'muted' }, 'Showing the first ' + AGENTS_SHOWN_MAX + ' agents by name.'));
      body.appendChild(note);
    }
  }

  function pauseOrResume(name, verb, button) {
    button.disabled = true;
    var body = verb === 'pause' ? JSON.stringify({ reason: 'paused from the dashboard' }) : undefined;
    api('/v1/agents/' + encodeURIComponent(name) + '/' + verb, { method: 'POST', body: body }).then(function (result) {
      if (result.status !== 200) {
        setStatus('Could not ' + verb + ' ' + name + ': ' + ((result.body && result.body.detail) || result.status), true);
        button.disabled = false;
        return;
      }
      setStatus((verb === 'pause' ? 'Paused ' : 'Resumed ') + name + '.');
      clearTimeout(timer);
      var admin = document.body.dataset.role === 'admin';
      poll(++generation, admin);
    }, function () {
      setStatus('The service does not answer; ' + name + ' was not changed.', true);
      button.disabled = false;
    });
  }

  function renderSpend(report, from) {
    var byDay = {};
    report.rows.forEach(function (r) { byDay[r.day] = Number(r.cost); });
    var xs = [], ys = [];
    for (var i = 0; i < 30; i++) {
      var day = new Date(from.getTime() + i * 86400000);
      xs.push(day.getTime() / 1000);
      ys.push(byDay[day.toISOString().slice(0, 10)] || 0);
    }
    $('spend-total').textContent = 'Total ' + money.format(report.total.cost) + ' · ' + report.total.calls + ' calls · ' +
      report.total.input_tokens + ' input and ' + report.total.output_tokens + ' output tokens';
    var box = $('spend-chart');
    box.setAttribute('aria-label', 'Spend per day over the last 30 days; total ' + money.format(report.total.cost));
    var width = Math.max(280, box.clientWidth - 16);
    if (!window.uPlot) { box.textContent = 'Chart library not loaded.'; return; }
    if (chart) {
      chart.setData([xs, ys]);
      if (chart.width !== width) { chart.setSize({ width: width, height: 240 }); }
      return;
    }
    chart = new uPlot({
      width: width, height: 240, tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true, range: function (u, min, max) { return [min - 43200, max + 43200]; } } },
      axes: [{}, { values: function (u, vals) { return vals.map(function (v) { return '$' + v; }); }, size: 70 }],
      series: [{ label: 'Day (UTC)' }, { label: 'Cost (USD)', stroke: '#0b57d0', fill: 'rgba(11,87,208,0.15)',
        width: 2, points: { show: false }, paths: uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined,
        value: function (u, v) { return v === null ? '—' : money.format(v); } }]
    }, [xs, ys], box);
  }

  function renderBars(id, rows, field) {
    var list = $(id);
    list.replaceChildren();
    var max = rows.reduce(function (m, r) { return Math.max(m, Number(r.cost)); }, 0);
    rows.slice().sort(function (a, b) { return Number(b.cost) - Number(a.cost); }).forEach(function (r) {
      var name = r[field] === null || r[field] === undefined ? '(none)' : r[field];
      var li = el('li', { 'data-name': name });
      li.appendChild(el('span', { 'class': 'name', title: name }, name));
      var bar = el('span', { 'class': 'bar', 'aria-hidden': 'true' });
      bar.style.width = (max > 0 ? Number(r.cost) / max * 100 : 0) + '%';
      li.appendChild(bar);
      li.appendChild(el('span', { 'class': 'num' }, money.format(r.cost)));
      list.appendChild(li);
    });
    if (!rows.length) { list.appendChild(el('li', { 'class': 'muted' }, 'No spend in these 30 days.')); }
  }

  function renderRefusals(refusals) {
    var body = $('refusals').querySelector('tbody');
    body.replaceChildren();
    refusals.forEach(function (r) {
      var tr = el('tr', { 'data-agent': r.agent, 'data-reason': r.reason });
      tr.appendChild(el('td', {}, r.last_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
      tr.appendChild(el('th', { scope: 'row' }, r.agent));
      tr.appendChild(el('td', {}, r.kind));
      tr.appendChild(el('td', {}, r.reason));
      tr.appendChild(el('td', {}, r.budget_key || '—'));
      tr.appendChild(el('td', { 'class': 'num' }, r.count));
      body.appendChild(tr);
    });
    if (!refusals.length) {
      var empty = el('tr', {});
      empty.appendChild(el('td', { colspan: '6', 'class': 'muted' }, 'No 429s recorded.'));
      body.appendChild(empty);
    }
  }

  function lookUpAgent(name) {
    var box = $('key-budgets');
    box.replaceChildren();
    api('/v1/agents/' + encodeURIComponent(name) + '/budget').then(function (result) {
      if (result.status === 401) { showSignIn(refusedMessage(result)); return; }
      if (result.status !== 200) {
        box.appendChild(el('p', { 'class': 'error', role: 'alert' }, (result.body && result.body.detail) || ('Answer ' + result.status)));
        return;
      }
      box.appendChild(el('p', {}, name + (result.body.paused ? ' is paused' : ' may spend') +
        (result.body.binding ? '; binding budget ' + result.body.binding : '')));
      result.body.budgets.forEach(function (b) { box.appendChild(budgetCard(b, null)); });
    }, function () { box.appendChild(el('p', { 'class': 'error', role: 'alert' }, 'The service does not answer.')); });
  }

  // ------------------------------------------------------------------ wiring

  $('sign-in-form').addEventListener('submit', function (event) { event.preventDefault(); signIn($('credential').value); });
  $('sign-out').addEventListener('click', function () { showSignIn(''); });
  $('key-form').addEventListener('submit', function (event) { event.preventDefault(); lookUpAgent($('key-agent').value.trim()); });
  window.addEventListener('resize', function () {
    if (chart) { chart.setSize({ width: Math.max(280, $('spend-chart').clientWidth - 16), height: 240 }); }
  });
  start(false);
})();
