// The image page's viewer: a full-resolution lightbox with deep zoom and pan
// (OpenSeadragon over a Deep Zoom pyramid the server renders on first use), and
// keyboard navigation. Without JavaScript the page keeps its preview, its CSS
// zoom and its Previous/Next links.
//   ← / →   previous / next image of the gallery query the image was opened from
//   Z       open the full-resolution view;  Esc closes it
//   + / − / 0  zoom in, out, fit (inside the full-resolution view)
(function () {
  'use strict';
  var button = document.getElementById('open-viewer');
  var box = document.getElementById('lightbox');
  var stage = document.getElementById('zoom-stage');
  var status = document.getElementById('lightbox-status');
  var viewer = null;
  var opener = null;

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function follow(rel, keepViewer) {
    var a = document.querySelector('.image-nav a[rel="' + rel + '"]');
    if (a) window.location.href = a.href + (keepViewer ? '#viewer' : '');
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.OpenSeadragon) return resolve();
      var s = document.createElement('script');
      s.src = src;
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error('cannot load ' + src)); };
      document.head.appendChild(s);
    });
  }

  function say(text) { if (status) status.textContent = text; }

  // asks for the pyramid until it is rendered (202 while the server renders it)
  function descriptor(url, attempt) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      if (r.status === 202) {
        say('Rendering the full-resolution view…');
        return new Promise(function (res) { setTimeout(res, Math.min(3000, 500 + attempt * 250)); }).then(function () {
          return descriptor(url, attempt + 1);
        });
      }
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || body.detail || 'the full-resolution view cannot be made');
        return body.tileSource;
      });
    });
  }

  function open() {
    if (!box || !button) return;
    opener = document.activeElement;
    box.hidden = false;
    document.body.classList.add('lightbox-open');
    document.getElementById('lightbox-close').focus();
    if (window.location.hash !== '#viewer') history.replaceState(null, '', '#viewer');
    if (viewer) return;
    say('Loading…');
    Promise.all([loadScript('/static/openseadragon.min.js'), descriptor(button.dataset.zoom, 0)]).then(function (res) {
      say('');
      viewer = window.OpenSeadragon({
        element: stage,
        tileSources: res[1],
        showNavigationControl: false,
        showNavigator: true,
        navigatorPosition: 'BOTTOM_RIGHT',
        maxZoomPixelRatio: 4,
        visibilityRatio: 0.5,
        gestureSettingsMouse: { clickToZoom: true, dblClickToZoom: true },
        gestureSettingsTouch: { pinchToZoom: true, flickEnabled: true },
        crossOriginPolicy: false,
      });
      viewer.addHandler('open', function () { stage.dataset.ready = 'true'; });
    }).catch(function (err) {
      say(err.message);
    });
  }

  function close() {
    if (!box || box.hidden) return;
    box.hidden = true;
    document.body.classList.remove('lightbox-open');
    if (window.location.hash === '#viewer') history.replaceState(null, '', window.location.pathname + window.location.search);
    if (opener && opener.focus) opener.focus();
  }

  function zoom(factor) {
    if (!viewer) return;
    if (factor === 0) viewer.viewport.goHome();
    else viewer.viewport.zoomBy(factor).applyConstraints();
  }

  if (button && box) {
    button.hidden = false;
    button.addEventListener('click', open);
    document.getElementById('lightbox-close').addEventListener('click', close);
    document.getElementById('zoom-in').addEventListener('click', function () { zoom(1.5); });
    document.getElementById('zoom-out').addEventListener('click', function () { zoom(1 / 1.5); });
    document.getElementById('zoom-home').addEventListener('click', function () { zoom(0); });
    if (window.location.hash === '#viewer') open();
  }

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;
    var inBox = box && !box.hidden;
    if (e.key === 'ArrowLeft') { follow('prev', inBox); e.preventDefault(); }
    else if (e.key === 'ArrowRight') { follow('next', inBox); e.preventDefault(); }
    else if (e.key === 'Escape' && inBox) { close(); e.preventDefault(); }
    else if ((e.key === 'z' || e.key === 'Z') && !inBox && button) { open(); e.preventDefault(); }
    else if (inBox && (e.key === '+' || e.key === '=')) { zoom(1.5); e.preventDefault(); }
    else if (inBox && (e.key === '-' || e.key === '_')) { zoom(1 / 1.5); e.preventDefault(); }
    else if (inBox && e.key === '0') { zoom(0); e.preventDefault(); }
  });
})();
