/**
 * The widget's CSS, adopted as a constructable stylesheet inside the shadow
 * root: no <style> element and no style attribute, so it works under a strict
 * CSP. Theming via custom properties set on the host (`--qcw-*`).
 */
export const CSS = `
:host{all:initial!important;display:contents!important}
.root{all:initial;--a:var(--qcw-accent,#2554c7);--at:var(--qcw-accent-text,#fff);--bg:var(--qcw-background,#fff);--fg:var(--qcw-text,#16181d);--mu:var(--qcw-muted,#5b6170);--sf:var(--qcw-surface,#eef0f4);--bd:var(--qcw-border,#c9ced8);--r:var(--qcw-radius,14px);--er:#b42318;
font:15px/1.45 var(--qcw-font-family,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);color:var(--fg);color-scheme:light}
.root[data-scheme=dark]{--bg:var(--qcw-background-dark,#17191f);--fg:var(--qcw-text-dark,#eceef2);--mu:var(--qcw-muted-dark,#a9afbc);--sf:var(--qcw-surface-dark,#262a33);--bd:var(--qcw-border-dark,#3b404c);--a:var(--qcw-accent-dark,var(--qcw-accent,#8ab0ff));--at:var(--qcw-accent-text-dark,#0b1020);--er:#ff8a80;color-scheme:dark}
@media (prefers-color-scheme:dark){.root[data-scheme=auto]{--bg:var(--qcw-background-dark,#17191f);--fg:var(--qcw-text-dark,#eceef2);--mu:var(--qcw-muted-dark,#a9afbc);--sf:var(--qcw-surface-dark,#262a33);--bd:var(--qcw-border-dark,#3b404c);--a:var(--qcw-accent-dark,var(--qcw-accent,#8ab0ff));--at:var(--qcw-accent-text-dark,#0b1020);--er:#ff8a80;color-scheme:dark}}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
button,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer;border:0;border-radius:8px;padding:8px 14px;background:var(--a);color:var(--at);display:inline-block}
button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.launcher{position:fixed;bottom:20px;right:20px;z-index:var(--z);width:56px;height:56px;border-radius:50%;padding:0;display:grid;place-items:center;box-shadow:0 4px 16px rgba(0,0,0,.25)}
.left .launcher{right:auto;left:20px}
.launcher svg{width:26px;height:26px;fill:currentColor}
.launcher:focus-visible{outline-offset:3px}
.panel{position:fixed;bottom:88px;right:20px;z-index:var(--z);width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 120px));display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border:1px solid var(--bd);border-radius:var(--r);box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden}
.left .panel{right:auto;left:20px}
.head{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:10px 12px 10px 16px;border-bottom:1px solid var(--bd)}
.head h2{all:unset;font-weight:600;font-size:16px}
.head button{background:transparent;color:var(--fg);padding:6px 10px}
.log{flex:1;overflow-y:auto;padding:12px 16px;display:flex;flex-direction:column;gap:10px}
.empty{color:var(--mu);margin:auto 0}
.msg{max-width:85%;padding:8px 12px;border-radius:12px;background:var(--sf);overflow-wrap:anywhere;white-space:normal}
.msg p{margin:0 0 6px}.msg p:last-child{margin:0}
.msg ul,.msg ol{margin:4px 0;padding-left:20px}
.msg code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;background:rgba(127,127,127,.18);border-radius:4px;padding:0 4px}
.msg a{color:inherit;text-decoration:underline}
.visitor{align-self:flex-end;background:var(--a);color:var(--at);white-space:pre-wrap}
.assistant,.refusal,.notice{align-self:flex-start}
.refusal{border:1px solid var(--bd);background:var(--bg)}
.refusal button{margin-top:8px}
.notice{color:var(--mu);background:transparent;padding:0 4px;font-size:14px}
.failed{display:flex;flex-direction:column;align-items:flex-end;gap:4px;align-self:flex-end;max-width:85%;color:var(--er);font-size:14px}
.failed button{padding:4px 12px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.typing{color:var(--mu);font-style:italic}
form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid var(--bd)}
textarea{flex:1;resize:none;min-height:42px;max-height:140px;padding:9px 10px;border:1px solid var(--bd);border-radius:10px;background:var(--bg)}
textarea::placeholder{color:var(--mu);opacity:1}
@media (max-width:480px){.panel,.left .panel{inset:0;width:100%;height:100%;border-radius:0;border:0}}
@media (prefers-reduced-motion:no-preference){.panel{animation:in .16s ease-out}@keyframes in{from{opacity:0;transform:translateY(8px)}}}
`;
