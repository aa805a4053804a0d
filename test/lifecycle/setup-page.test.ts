// The setup page's HTML: the networks the device scanned offered as choices, the checks rendered by the device in a
// frame that reloads itself (no timers in the page), and whatever a network or a refusal says escaped, never markup.
import { describe, expect, test } from '@jest/globals';
import { setupPageResponse } from '../../firmware/lifecycle/setup-page.js';
import type { SetupControl, SetupStatus } from '../../firmware/lifecycle/setup-status.js';

function control(status: SetupStatus, ssids: string[]): SetupControl {
  return {
    status: () => status,
    networks: () => ssids.map((ssid) => ({ ssid, rssi: -50, secure: true })),
    takeCode: () => ({ ok: true }),
    chooseWifi: () => ({ ok: true }),
  };
}

const PROVING: SetupStatus = {
  phase: 'proving', site: 'oak', device: 'door-1', proofs: { wifi: 'ok', time: 'ok', broker: 'failed', tls: 'waiting' },
  problem: { step: 'broker', reason: 'unreachable', detail: 'no answer from <broker>' },
};

describe('the setup page', () => {
  test('offers the scanned networks, escaped, and shows the checks in a frame; no timer in its script', () => {
    const page = setupPageResponse(control(PROVING, ['Oak Court', '<b>evil</b>']), { method: 'GET', path: '/', body: '' });
    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.body).toContain('<option>Oak Court</option>');
    expect(page.body).toContain('<option>&#60;b&#62;evil&#60;/b&#62;</option>');
    expect(page.body).not.toContain('<b>evil');
    expect(page.body).toContain('<iframe id="checks" src="/checks"');
    expect(page.body).not.toMatch(/setInterval|setTimeout/);
  });

  test('the checks frame reloads itself and says each proof and the problem, escaped', () => {
    const checks = setupPageResponse(control(PROVING, []), { method: 'GET', path: '/checks', body: '' });
    expect(checks.status).toBe(200);
    expect(checks.body).toContain('<meta http-equiv="refresh" content="2">');
    expect(checks.body).toContain('正在检查… · Checking… — oak / door-1');
    expect(checks.body).toContain('<li class="ok">无线网络已连接 · Wi-Fi joined: 成功 · done</li>');
    expect(checks.body).toContain('<li class="failed">已连接服务器 · Broker reached: 失败 · failed</li>');
    expect(checks.body).toContain('broker — unreachable: no answer from &#60;broker&#62;');
  });
});
