// The setup page a device serves on its setup access point: one small HTML page (no external assets; Chinese and
// English side by side; large type and targets for older eyes) and three JSON routes. Every other GET is sent to
// the page, which is what makes phones open it as a captive portal.
//   GET  /          the page
//   GET  /status    { status, networks }
//   POST /code      { "code": "CTP1.…" }              → { ok } or { ok: false, reason, detail }
//   POST /wifi      { "ssid": "…", "password": "…" }  → the same
import type { SetupRequest, SetupResponse } from '../../hal/contract/index.js';
import { SETUP_BODY_MAX_BYTES } from '../../hal/contract/index.js';
import type { SetupAnswer, SetupControl } from './setup-status.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export function setupPageResponse(control: SetupControl, request: SetupRequest): SetupResponse {
  const { method, path } = request;
  if (method === 'GET') {
    if (path === '/' || path === '/index.html') return { status: 200, type: 'text/html; charset=utf-8', body: SETUP_PAGE };
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

/** The page. Its script polls /status and shows each proof; the words are in WORDS (zh / en). */
export const SETUP_PAGE = `<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>设备设置 Device setup</title>
<style>body{font:22px/1.5 sans-serif;margin:0 auto;max-width:34em;padding:1em;color:#111;background:#fff}
h1{font-size:30px}h2{font-size:24px;margin-top:1.2em}.en{color:#333;font-size:19px;display:block}
textarea,input,select,button{font:inherit;width:100%;box-sizing:border-box;min-height:60px;margin:.3em 0;border:2px solid #111;border-radius:8px;padding:.3em}
button{background:#0b4f8a;color:#fff;font-weight:bold}.ok{color:#0a6b2b}.failed{color:#b00020}
#problem{color:#b00020;font-weight:bold}li{margin:.3em 0}</style></head><body>
<h1>设备设置<span class="en">Device setup</span></h1>
<p id="who"></p>
<h2>1 · 设置码<span class="en">Setup code</span></h2>
<form id="code"><textarea name="code" rows="4" placeholder="CTP1." required></textarea>
<button>提交设置码 · Send the code</button></form>
<h2>2 · 无线网络<span class="en">Wi-Fi network</span></h2>
<form id="wifi"><select name="ssid" id="ssids"></select><input name="other" placeholder="其他网络 · Other network">
<input name="password" type="password" placeholder="密码 · Password" autocomplete="off">
<button>连接 · Connect</button></form>
<h2>3 · 检查<span class="en">Checks</span></h2><ul id="proofs"></ul><p id="problem" role="alert"></p>
<script>
const W={wifi:['无线网络已连接','Wi-Fi joined'],time:['时间已同步','Time set'],broker:['已连接服务器','Broker reached'],tls:['加密连接已验证','TLS verified'],
waiting:['等待中','waiting'],ok:['成功','done'],failed:['失败','failed'],skipped:['不需要','not needed'],
needs_code:['请输入设置码','Enter the setup code'],needs_wifi:['请选择无线网络','Choose the Wi-Fi network'],restarting:['正在重启…','Restarting…'],
proving:['正在检查…','Checking…'],done:['设置完成','Setup complete']};
const t=k=>W[k]?W[k][0]+' · '+W[k][1]:k;const $=id=>document.getElementById(id);
async function post(p,b){const r=await fetch(p,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(b)});return r.json()}
function say(a){if(!a.ok)$('problem').textContent=a.reason+': '+a.detail;refresh()}
$('code').onsubmit=async e=>{e.preventDefault();say(await post('/code',{code:e.target.code.value.trim()}))};
$('wifi').onsubmit=async e=>{e.preventDefault();const f=e.target;say(await post('/wifi',{ssid:f.other.value||f.ssid.value,password:f.password.value}))};
async function refresh(){try{const{status:s,networks:n}=await(await fetch('/status')).json();
$('who').textContent=t(s.phase)+(s.device?' — '+s.site+' / '+s.device:'');
const sel=$('ssids');if(!sel.options.length)for(const x of n){const o=document.createElement('option');o.value=o.textContent=x.ssid;sel.append(o)}
$('proofs').innerHTML='';for(const[k,v]of Object.entries(s.proofs)){const li=document.createElement('li');li.className=v;li.textContent=t(k)+': '+t(v);$('proofs').append(li)}
$('problem').textContent=s.problem?s.problem.step+' — '+s.problem.reason+': '+s.problem.detail:''}catch(e){}}
refresh();setInterval(refresh,2000);
</script></body></html>`;
