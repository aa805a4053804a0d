// The setup page a device serves on its setup access point: small HTML (no external assets; Chinese and English side
// by side; large type and targets for older eyes) and JSON routes. Every other GET is sent to the page, which is
// what makes phones open it as a captive portal. The checks are a frame the device renders and the browser reloads
// by itself (a meta refresh): the page needs no timers, and shows the checks even where scripts are off.
//   GET  /          the page (the networks the device scanned as its choices)
//   GET  /checks    the checks frame: phase, each proof, the last problem
//   GET  /status    { status, networks }
//   POST /code      { "code": "CTP1.…" }              → { ok } or { ok: false, reason, detail }
//   POST /wifi      { "ssid": "…", "password": "…" }  → the same
import type { SetupRequest, SetupResponse } from '../../hal/contract/index.js';
import { SETUP_BODY_MAX_BYTES } from '../../hal/contract/index.js';
import type { SetupAnswer, SetupControl, SetupStatus } from './setup-status.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';
/** How often the checks frame reloads itself, seconds. */
const CHECKS_REFRESH_S = 2;

export function setupPageResponse(control: SetupControl, request: SetupRequest): SetupResponse {
  const { method, path } = request;
  if (method === 'GET') {
    if (path === '/' || path === '/index.html') return { status: 200, type: HTML_TYPE, body: setupPage(control.networks().map((n) => n.ssid)) };
    if (path === '/checks') return { status: 200, type: HTML_TYPE, body: checksFrame(control.status()) };
    if (path === '/status') return json(200, { status: control.status(), networks: control.networks() });
    return { status: 302, type: 'text/plain', body: '', location: '/' };
  }
  if (method !== 'POST' || (path !== '/code' && path !== '/wifi')) return json(405, { ok: false, reason: 'invalid', detail: `${method.slice(0, 8)} ${path.slice(0, 32)}: not here` });
  if (typeof request.body !== 'string' || request.body.length > SETUP_BODY_MAX_BYTES) return json(413, { ok: false, reason: 'invalid', detail: 'body too large' });
  let fields: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(request.body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    fields = parsed as Record<string, unknown>;
  } catch {
    return json(400, { ok: false, reason: 'invalid', detail: 'the body is not a JSON object' });
  }
  let answer: SetupAnswer;
  if (path === '/code') {
    if (typeof fields.code !== 'string') return json(400, { ok: false, reason: 'invalid', detail: 'code: expected text' });
    answer = control.takeCode(fields.code.trim());
  } else {
    const password = fields.password ?? '';
    if (typeof fields.ssid !== 'string' || typeof password !== 'string') return json(400, { ok: false, reason: 'invalid', detail: 'ssid and password: expected text' });
    answer = control.chooseWifi(fields.ssid, password);
  }
  return json(answer.ok ? 200 : 422, answer);
}

function json(status: number, value: unknown): SetupResponse {
  return { status, type: JSON_TYPE, body: JSON.stringify(value) };
}

/** The words the page and the checks show, zh · en. */
const WORDS: Readonly<Record<string, readonly [string, string]>> = Object.freeze({
  wifi: ['无线网络已连接', 'Wi-Fi joined'], time: ['时间已同步', 'Time set'], broker: ['已连接服务器', 'Broker reached'], tls: ['加密连接已验证', 'TLS verified'],
  waiting: ['等待中', 'waiting'], ok: ['成功', 'done'], failed: ['失败', 'failed'], skipped: ['不需要', 'not needed'],
  needs_code: ['请输入设置码', 'Enter the setup code'], needs_wifi: ['请选择无线网络', 'Choose the Wi-Fi network'], restarting: ['正在重启…', 'Restarting…'],
  proving: ['正在检查…', 'Checking…'], done: ['设置完成', 'Setup complete'],
});
const say = (key: string): string => escapeHtml(WORDS[key] ? `${WORDS[key][0]} · ${WORDS[key][1]}` : key);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:22px/1.5 sans-serif;margin:0 auto;max-width:34em;padding:1em;color:#111;background:#fff}
h1{font-size:30px}h2{font-size:24px;margin-top:1.2em}.en{color:#333;font-size:19px;display:block}
textarea,input,select,button{font:inherit;width:100%;box-sizing:border-box;min-height:60px;margin:.3em 0;border:2px solid #111;border-radius:8px;padding:.3em}
button{background:#0b4f8a;color:#fff;font-weight:bold}.ok{color:#0a6b2b}.failed{color:#b00020}
.problem{color:#b00020;font-weight:bold}li{margin:.3em 0}iframe{width:100%;height:14em;border:0}`;

/** The checks frame: it reloads itself every CHECKS_REFRESH_S. */
export function checksFrame(status: SetupStatus): string {
  const who = status.device ? ` — ${escapeHtml(status.site ?? '')} / ${escapeHtml(status.device)}` : '';
  const proofs = Object.entries(status.proofs).map(([name, state]) => `<li class="${state}">${say(name)}: ${say(state)}</li>`).join('');
  const problem = status.problem
    ? `<p class="problem" role="alert">${escapeHtml(`${status.problem.step} — ${status.problem.reason}: ${status.problem.detail}`)}</p>` : '';
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${CHECKS_REFRESH_S}">
<style>${STYLE}</style></head><body><p>${say(status.phase)}${who}</p><ul>${proofs}</ul>${problem}</body></html>`;
}

/** The page, with the networks the device scanned as the choices. Its script only sends the two forms. */
export function setupPage(ssids: readonly string[]): string {
  const options = ssids.map((ssid) => `<option>${escapeHtml(ssid)}</option>`).join('');
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>设备设置 Device setup</title>
<style>${STYLE}</style></head><body>
<h1>设备设置<span class="en">Device setup</span></h1>
<h2>1 · 设置码<span class="en">Setup code</span></h2>
<form id="code"><textarea name="code" rows="4" placeholder="CTP1." required></textarea>
<button>提交设置码 · Send the code</button></form>
<h2>2 · 无线网络<span class="en">Wi-Fi network</span></h2>
<form id="wifi"><select name="ssid">${options}</select><input name="other" placeholder="其他网络 · Other network">
<input name="password" type="password" placeholder="密码 · Password" autocomplete="off">
<button>连接 · Connect</button></form>
<p id="problem" class="problem" role="alert"></p>
<h2>3 · 检查<span class="en">Checks</span></h2><iframe id="checks" src="/checks" title="检查 Checks"></iframe>
<script>
const $=id=>document.getElementById(id);
async function post(p,b){const r=await fetch(p,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(b)});return r.json()}
function answered(a){$('problem').textContent=a.ok?'':a.reason+': '+a.detail;$('checks').contentWindow.location.reload()}
$('code').onsubmit=async e=>{e.preventDefault();answered(await post('/code',{code:e.target.code.value.trim()}))};
$('wifi').onsubmit=async e=>{e.preventDefault();const f=e.target;answered(await post('/wifi',{ssid:f.other.value||f.ssid.value,password:f.password.value}))};
</script></body></html>`;
}
