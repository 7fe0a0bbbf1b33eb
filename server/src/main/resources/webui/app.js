// model-compose web page: lists the workflows, builds a form from each schema, runs through the HTTP API
// (multipart, wait_for_completion=false), polls GET /tasks/{id} and shows the result. A large output is not in the
// polled state: a single image is shown from its output_url, anything else is fetched once with include_output=true.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let base = '';
  let workflows = [];
  let current = null;
  let values = {};       // input name -> File or string
  let running = null;    // task id
  let pollTimer = null;

  async function api(path, options) {
    const r = await fetch(base + path, options);
    const type = r.headers.get('Content-Type') || '';
    const body = type.includes('application/json') ? await r.json() : await r.text();
    if (!r.ok) {
      const detail = body && body.detail !== undefined ? body.detail : body;
      throw new Error(typeof detail === 'string' ? detail : JSON.stringify(detail));
    }
    return body;
  }

  async function health() {
    const el = $('health');
    try {
      const r = await fetch(base + '/health');
      const b = await r.json();
      el.textContent = b.status === 'ok' ? 'ready' : b.status;
      el.className = 'badge ' + (r.ok ? 'ok' : 'down');
    } catch (e) {
      el.textContent = 'offline';
      el.className = 'badge down';
    }
  }

  async function init() {
    try {
      const cfg = await (await fetch('config.json')).json();
      base = cfg.base_path || '';
    } catch (e) { base = ''; }
    health();
    setInterval(health, 5000);
    try {
      workflows = await api('/workflows?include_schema=true');
    } catch (e) {
      $('loading').textContent = 'Cannot load the workflows: ' + e.message;
      return;
    }
    $('loading').hidden = true;
    const tabs = $('tabs');
    workflows.forEach((w, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = w.title || w.workflow_id;
      b.dataset.workflow = w.workflow_id;
      b.addEventListener('click', () => select(i));
      tabs.appendChild(b);
    });
    tabs.hidden = workflows.length < 2;
    if (workflows.length) select(Math.max(0, workflows.findIndex((w) => w.default)));
    $('run').addEventListener('click', run);
    $('cancel').addEventListener('click', cancel);
  }

  function select(i) {
    current = workflows[i];
    values = {};
    document.querySelectorAll('#tabs button').forEach((b, j) => b.classList.toggle('active', i === j));
    $('workflow').hidden = false;
    $('wf-title').textContent = current.title || current.workflow_id;
    $('wf-description').textContent = current.description ? '📝 ' + current.description : '';
    $('wf-schema').textContent = JSON.stringify(current, null, 2);
    $('outputs').innerHTML = '';
    showError(null);
    const form = $('inputs');
    form.innerHTML = '';
    if (!current.input.length) form.textContent = 'This workflow takes no input.';
    current.input.forEach((v) => form.appendChild(field(v)));
  }

  const FILE_TYPES = ['image', 'audio', 'video', 'file'];

  function field(v) {
    const label = document.createElement('label');
    label.className = 'field';
    label.textContent = v.name || 'input';
    const name = v.name || 'input';
    if (FILE_TYPES.includes(v.type) && !v.format) {
      const drop = document.createElement('div');
      drop.className = 'drop';
      drop.dataset.input = name;
      drop.innerHTML = '<span>Drop ' + (v.type === 'image' ? 'an image' : 'a file') + ' here or click to choose</span>';
      const file = document.createElement('input');
      file.type = 'file';
      file.name = name;
      file.hidden = true;
      if (v.type !== 'file') file.accept = v.type + '/*';
      const take = (f) => {
        if (!f) return;
        values[name] = f;
        drop.innerHTML = '';
        if (v.type === 'image') {
          const img = document.createElement('img');
          img.src = URL.createObjectURL(f);
          img.alt = f.name;
          drop.appendChild(img);
        }
        const cap = document.createElement('span');
        cap.textContent = f.name + ' (' + Math.round(f.size / 1024) + ' KiB)';
        drop.appendChild(cap);
      };
      drop.addEventListener('click', () => file.click());
      file.addEventListener('change', () => take(file.files[0]));
      drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
      drop.addEventListener('dragleave', () => drop.classList.remove('over'));
      drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); take(e.dataTransfer.files[0]); });
      label.appendChild(drop);
      label.appendChild(file);
      return label;
    }
    let input;
    if (v.type === 'text' || v.is_list || v.type === 'object' || v.type === 'json') {
      input = document.createElement('textarea');
      input.rows = 4;
    } else if (v.type === 'boolean') {
      input = document.createElement('input');
      input.type = 'checkbox';
    } else {
      input = document.createElement('input');
      input.type = v.type === 'number' || v.type === 'integer' ? 'number' : 'text';
      if (v.format) input.placeholder = v.format === 'url' ? 'https://…' : v.format === 'path' ? '/path/to/file' : v.format;
    }
    input.name = name;
    if (v.default !== undefined) {
      if (input.type === 'checkbox') input.checked = !!v.default;
      else input.value = typeof v.default === 'string' ? v.default : JSON.stringify(v.default);
    }
    input.addEventListener('input', () => { values[name] = input.type === 'checkbox' ? String(input.checked) : input.value; });
    input.addEventListener('change', () => { values[name] = input.type === 'checkbox' ? String(input.checked) : input.value; });
    label.appendChild(input);
    return label;
  }

  function showError(msg) {
    const el = $('error');
    el.hidden = !msg;
    el.textContent = msg || '';
  }

  function busy(on, text) {
    $('run').disabled = on;
    $('cancel').disabled = !on;
    $('progress').hidden = !on;
    $('progress-text').textContent = text || '';
  }

  async function run() {
    showError(null);
    $('outputs').innerHTML = '';
    const form = new FormData();
    form.append('workflow_id', current.workflow_id);
    form.append('wait_for_completion', 'false');
    for (const [k, v] of Object.entries(values)) form.append('input[' + k + ']', v);
    busy(true, 'Submitting…');
    const started = Date.now();
    try {
      const sub = await api('/workflows/runs', { method: 'POST', body: form });
      running = sub.task_id;
      poll(sub.task_id, started);
    } catch (e) {
      busy(false);
      showError('The server refused the run: ' + e.message);
    }
  }

  function poll(id, started) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      let state;
      try {
        state = await api('/tasks/' + encodeURIComponent(id));
      } catch (e) {
        busy(false);
        showError(e.message);
        return;
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (state.status === 'completed') {
        busy(false);
        running = null;
        if (state.output === undefined && state.output_url && !singleImage()) {
          try {
            state = await api('/tasks/' + encodeURIComponent(id) + '?include_output=true');
          } catch (e) {
            showError(e.message);
            return;
          }
        }
        showOutput(state, secs);
      } else if (state.status === 'failed') {
        busy(false);
        running = null;
        showError('The run failed: ' + (state.error || 'unknown error'));
      } else if (state.status === 'cancelled') {
        busy(false);
        running = null;
        showError('The run was cancelled.');
      } else {
        $('progress-text').textContent = (state.status === 'pending' ? 'Waiting in the queue' : 'Running') + '… ' + secs + ' s';
        poll(id, started);
      }
    }, 400);
  }

  async function cancel() {
    if (!running) return;
    try {
      await api('/tasks/' + encodeURIComponent(running) + '/cancel?wait_for_completion=false', { method: 'POST' });
    } catch (e) {
      showError(e.message);
    }
  }

  /** The workflow's output is one image: the page can show it straight from output_url. */
  function singleImage() {
    return current.output.length === 1 && current.output[0].type === 'image' && !current.output[0].name;
  }

  function showOutput(state, secs) {
    const box = $('outputs');
    box.innerHTML = '';
    const output = state.output;
    const vars = current.output.length ? current.output : [{ type: 'any' }];
    vars.forEach((v) => {
      const value = v.name ? (output || {})[v.name] : output;
      if (v.type === 'image' && typeof value === 'string') box.appendChild(imageResult('data:image/png;base64,' + value, v.name, secs));
      else if (v.type === 'image' && value === undefined && state.output_url) box.appendChild(imageResult(state.output_url, v.name, secs));
      else {
        const pre = document.createElement('pre');
        pre.textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
        box.appendChild(pre);
      }
    });
  }

  function imageResult(url, name, secs) {
    const wrap = document.createElement('div');
    wrap.className = 'result';
    const after = new Image();
    after.className = 'after';
    after.alt = 'result';
    after.src = url;
    const inputFile = Object.values(values).find((v) => v instanceof File && v.type.startsWith('image/'));
    const meta = document.createElement('div');
    meta.className = 'result-meta result-size';
    after.addEventListener('load', () => {
      meta.textContent = 'Result: ' + after.naturalWidth + ' × ' + after.naturalHeight + ' px, in ' + secs + ' s';
    });
    if (inputFile) {
      const compare = document.createElement('div');
      compare.className = 'compare';
      const before = new Image();
      before.className = 'before';
      before.alt = 'before';
      before.src = URL.createObjectURL(inputFile);
      const slider = document.createElement('input');
      slider.type = 'range';
      slider.min = 0;
      slider.max = 100;
      slider.value = 50;
      slider.setAttribute('aria-label', 'before / after');
      const clip = () => { before.style.clipPath = 'inset(0 ' + (100 - slider.value) + '% 0 0)'; };
      slider.addEventListener('input', clip);
      clip();
      compare.appendChild(after);
      compare.appendChild(before);
      const legend = document.createElement('div');
      legend.className = 'result-meta';
      legend.textContent = '◀ before | after ▶ (drag the slider)';
      wrap.appendChild(compare);
      wrap.appendChild(slider);
      wrap.appendChild(legend);
    } else {
      wrap.appendChild(after);
    }
    wrap.appendChild(meta);
    const a = document.createElement('a');
    a.className = 'download';
    a.href = url;
    a.download = (inputFile ? inputFile.name.replace(/\.[^.]*$/, '') + '-upscaled' : (name || 'output')) + '.png';
    a.textContent = '⬇ Download';
    wrap.appendChild(a);
    return wrap;
  }

  init();
})();
