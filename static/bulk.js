// Bulk selection in the gallery. Without this script every card still has its
// checkbox and the form posts the ticked ids (or the whole query) to
// /images/bulk; the script adds shift-click ranges, "select all on this page",
// "select all N matching this query" (the server applies the query: no list
// of ids is sent) and a live count. Event delegation: htmx swaps the grid.
(function () {
  'use strict';
  let last = null;

  const formOf = (el) => el && el.closest('form#bulk');
  const picks = (form) => Array.from(form.querySelectorAll('.pick input[type=checkbox]'));

  function update(form) {
    if (!form) return;
    const boxes = picks(form);
    const n = boxes.filter((b) => b.checked).length;
    const all = form.dataset.scope === 'query';
    const total = Number(form.querySelector('[data-select-query]')?.dataset.total || 0);
    for (const b of boxes) b.closest('.card')?.classList.toggle('picked', b.checked);
    const count = form.querySelector('[data-bulk-count]');
    if (count) count.textContent = all ? `All ${total} matching selected` : n ? `${n} selected` : '';
    const edit = form.querySelector('[data-edit-selected]');
    if (edit) {
      edit.value = all ? 'query' : 'ids';
      edit.disabled = !all && n === 0;
    }
    const page = form.querySelector('[data-select-page]');
    if (page) {
      page.checked = boxes.length > 0 && n === boxes.length;
      page.indeterminate = n > 0 && n < boxes.length;
    }
    const more = form.querySelector('[data-select-query]');
    if (more) more.hidden = all || n !== boxes.length || total <= boxes.length;
  }

  function init() {
    for (const form of document.querySelectorAll('form#bulk')) {
      const label = form.querySelector('.select-page');
      if (label) label.hidden = false;
      update(form);
    }
  }

  document.addEventListener('click', (e) => {
    const box = e.target.closest && e.target.closest('.pick input[type=checkbox]');
    const form = formOf(e.target);
    if (box && form) {
      if (e.shiftKey && last && last !== box && formOf(last) === form) {
        const boxes = picks(form);
        const [a, b] = [boxes.indexOf(last), boxes.indexOf(box)].sort((x, y) => x - y);
        if (a >= 0) for (const x of boxes.slice(a, b + 1)) x.checked = box.checked;
      }
      last = box;
      if (!box.checked) delete form.dataset.scope;
      update(form);
    } else if (form && e.target.closest('[data-select-query]')) {
      form.dataset.scope = 'query';
      for (const x of picks(form)) x.checked = true;
      update(form);
    }
  });

  document.addEventListener('change', (e) => {
    const form = formOf(e.target);
    if (!form || !e.target.matches('[data-select-page]')) return;
    for (const x of picks(form)) x.checked = e.target.checked;
    if (!e.target.checked) delete form.dataset.scope;
    update(form);
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
  // the grid is swapped by htmx when a filter changes
  for (const name of ['htmx:after:swap', 'htmx:afterSwap', 'htmx:after:settle']) document.addEventListener(name, init);
})();
