// Upload with progress: htmx 4 uses fetch, which reports no upload progress,
// so this small script sends each file with XMLHttpRequest to the JSON API and
// then lets htmx poll the status of the new images. Without JavaScript the
// form posts to /upload as it is.
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var input = document.getElementById('files');
  var list = document.getElementById('upload-progress');
  var results = document.getElementById('upload-results');
  var zone = document.getElementById('dropzone');
  var csrf = form.querySelector('input[name="_csrf"]').value;
  var ids = [];
  var existing = [];

  function row(file) {
    var li = document.createElement('li');
    var name = document.createElement('span');
    name.textContent = file.name;
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    var state = document.createElement('span');
    state.className = 'small muted';
    state.textContent = 'waiting';
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(state);
    list.appendChild(li);
    return { bar: bar, state: state };
  }

  function showStatus() {
    if (!ids.length) return;
    var div = document.createElement('div');
    div.setAttribute('hx-get', '/upload/status?ids=' + ids.join(',') + (existing.length ? '&existing=' + existing.join(',') : ''));
    div.setAttribute('hx-trigger', 'load');
    div.setAttribute('hx-swap', 'outerHTML');
    results.innerHTML = '';
    results.appendChild(div);
    if (window.htmx) window.htmx.process(div);
  }

  function send(file, ui) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      var data = new FormData();
      data.append('files', file, file.name);
      xhr.open('POST', form.getAttribute('data-api'));
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          ui.bar.value = Math.round((e.loaded / e.total) * 100);
          ui.state.textContent = ui.bar.value + ' %';
        }
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 202 && body && body.ids) {
          ui.bar.value = 100;
          var known = (body.items || []).filter(function (i) { return i.existing; }).map(function (i) { return i.id; });
          // a file whose content is in the library already is not stored again: say so
          ui.state.textContent = known.length ? 'already in the library' : 'stored';
          existing = existing.concat(known);
          ids = ids.concat(body.ids);
          showStatus();
        } else {
          ui.state.textContent = (body && body.detail) || ('failed (' + xhr.status + ')');
          ui.state.className = 'small error';
        }
        resolve();
      };
      xhr.onerror = function () {
        ui.state.textContent = 'network error';
        resolve();
      };
      xhr.send(data);
    });
  }

  function uploadAll(files) {
    var queue = Array.prototype.slice.call(files).map(function (f) { return { file: f, ui: row(f) }; });
    // two at a time: progress stays readable and a NAS is not flooded
    var next = 0;
    function worker() {
      if (next >= queue.length) return Promise.resolve();
      var item = queue[next++];
      return send(item.file, item.ui).then(worker);
    }
    return Promise.all([worker(), worker()]);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!input.files.length) return;
    uploadAll(input.files).then(function () { form.reset(); });
  });
  ['dragenter', 'dragover'].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    zone.addEventListener(t, function () { zone.classList.remove('over'); });
  });
  zone.addEventListener('drop', function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) uploadAll(e.dataTransfer.files);
  });
})();
