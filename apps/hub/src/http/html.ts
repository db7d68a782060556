import type { Mode } from '@0bit/core/scope';
import type { Role } from '@0bit/db/people';

/** Every value put into a page goes through this: partner names, emails, messages are text, never markup. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Markup built by these helpers; anything else is escaped when interpolated. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const part = Array.isArray(value)
      ? value.map((v) => (v instanceof Html ? v.text : esc(v))).join('')
      : value instanceof Html
        ? value.text
        : value === false || value === null || value === undefined
          ? ''
          : esc(value);
    out += part + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

export function page(title: string, body: Html): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · 0Bit Partner Hub</title>
<link rel="stylesheet" href="/assets/hub.css">
<script src="/assets/hub.js" defer></script>
</head>
<body>
${body.text}
</body>
</html>`;
}

/** A form that changes something: POST with the CSRF token, and an optional confirmation question. */
export function form(
  action: string,
  csrf: string,
  inner: Html,
  options: { confirm?: string; cls?: string } = {},
): Html {
  return html`<form method="post" action="${action}"${options.cls ? html` class="${options.cls}"` : ''}${
    options.confirm ? html` data-confirm="${options.confirm}"` : ''
  }>${csrfField(csrf)}${inner}</form>`;
}

export interface Shell {
  partnerName: string;
  email: string;
  role: Role;
  csrf: string;
  mode: Mode;
  /** Path of this page under /<mode>/, for the mode switch. */
  section: 'keys' | 'team';
  outbox: boolean;
}

export function shell(s: Shell, title: string, main: Html): string {
  const other: Mode = s.mode === 'test' ? 'live' : 'test';
  const modePath = (mode: Mode) => (s.section === 'team' ? `/team?mode=${mode}` : `/${mode}/${s.section}`);
  const nav = (href: string, label: string, current: boolean) =>
    html`<a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a>`;
  return page(
    title,
    html`<a class="skip" href="#main">Skip to content</a>
<header class="top ${s.mode}">
  <div class="brand"><strong>0Bit Partner Hub</strong> <span class="partner">${s.partnerName}</span></div>
  <div class="mode" role="group" aria-label="Mode">
    <span class="badge ${s.mode}">${s.mode === 'live' ? 'Live mode' : 'Test mode'}</span>
    <a class="switch" href="${modePath(other)}">Switch to ${other} mode</a>
  </div>
  <div class="who"><span>${s.email} (${s.role})</span>
    ${form('/sign-out', s.csrf, html`<button type="submit" class="link">Sign out</button>`, { cls: 'inline' })}
  </div>
</header>
${s.mode === 'live' ? html`<p class="live-banner" role="note">You are looking at live data: changes here affect real payments.</p>` : ''}
<nav class="side" aria-label="Console">
  ${nav(`/${s.mode}/keys`, 'API keys', s.section === 'keys')}
  ${nav(`/team?mode=${s.mode}`, 'Team', s.section === 'team')}
  ${s.outbox ? nav('/outbox', 'Outbox (development)', false) : ''}
</nav>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${main}
</main>`,
  );
}

export const notice = (kind: 'error' | 'ok' | 'warn', text: string | null | undefined) =>
  text ? html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : html``;

export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f6f7f9}
a{color:#0b57d0}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;padding:12px 16px;background:#fff;border-bottom:3px solid #0b57d0}
.top.live{border-bottom-color:#b3261e}
.partner{color:#444;margin-left:6px}
.badge{display:inline-block;padding:2px 8px;border-radius:12px;font-size:14px;font-weight:600}
.badge.test{background:#e3ecfd;color:#0b3d91}.badge.live{background:#fce8e6;color:#8c1d18}
.switch{margin-left:8px}
.who{display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.live-banner{margin:0;padding:8px 16px;background:#fce8e6;color:#8c1d18;font-weight:600}
.side{display:flex;gap:16px;padding:8px 16px;background:#fff;border-bottom:1px solid #ddd;flex-wrap:wrap}
.side a[aria-current]{font-weight:700;text-decoration:none;color:#1a1a1a}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:8px 0 16px}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:8px;border-bottom:1px solid #ddd;vertical-align:top;overflow-wrap:anywhere}
@media (max-width:600px){table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-9999px}td{border:0;padding:2px 8px}tr{border-bottom:1px solid #ddd;padding:8px 0}td::before{content:attr(data-label) ": ";font-weight:600}caption{display:block;text-align:left;padding:4px 8px}}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
button,.button{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer}
button.danger{background:#b3261e;border-color:#b3261e}
button.link{background:none;border:0;color:#0b57d0;padding:0;text-decoration:underline}
form.inline{display:inline}
label{display:block;margin:12px 0 4px;font-weight:600}
input,select{font:inherit;padding:8px;border:1px solid #767676;border-radius:6px;width:100%;max-width:420px}
.notice{padding:8px 12px;border-radius:6px}
.notice.error{background:#fce8e6;color:#8c1d18}.notice.ok{background:#e6f4ea;color:#0d652d}.notice.warn{background:#fef7e0;color:#6b4e00}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:16px;margin:16px 0;max-width:480px}
.center{display:flex;justify-content:center;padding:32px 16px}
code.key{display:block;padding:8px;background:#f1f3f4;border-radius:6px;overflow-wrap:anywhere;margin:8px 0}
.muted{color:#555}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;padding:8px;border:1px solid #ddd}
`;

/** The console's only script: the copy button and confirmations (forms work without it). */
export const JS = `
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('[data-copy]');
  if (!b) return;
  var el = document.getElementById(b.getAttribute('data-copy'));
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.textContent).then(function () { b.textContent = 'Copied'; });
});
document.addEventListener('submit', function (e) {
  var q = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (q && !window.confirm(q)) e.preventDefault();
});
`;
