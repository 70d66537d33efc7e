/**
 * The widget's CSS, adopted as a constructable stylesheet inside the shadow
 * root: no <style> element and no style attribute, so it works under a strict
 * CSP. Theming via custom properties set on the host (`--qcw-*`).
 */
const DARK =
  '--bg:var(--qcw-background-dark,#17191f);--fg:var(--qcw-text-dark,#eceef2);--mu:var(--qcw-muted-dark,#a9afbc);--sf:var(--qcw-surface-dark,#262a33);--bd:var(--qcw-border-dark,#3b404c);--a:var(--qcw-accent-dark,#8ab0ff);--at:var(--qcw-accent-text-dark,#0b1020);--er:#ff8a80;color-scheme:dark';

export const CSS = `:host{all:initial!important;display:contents!important}
.root{all:initial;--a:var(--qcw-accent,#2554c7);--at:var(--qcw-accent-text,#fff);--bg:var(--qcw-background,#fff);--fg:var(--qcw-text,#16181d);--mu:var(--qcw-muted,#5b6170);--sf:var(--qcw-surface,#eef0f4);--bd:var(--qcw-border,#c9ced8);--er:#b42318;font:15px/1.45 var(--qcw-font-family,system-ui,sans-serif);color:var(--fg)}
.root[data-scheme=dark]{${DARK}}
@media (prefers-color-scheme:dark){.root[data-scheme=auto]{${DARK}}}
*{box-sizing:border-box}
[hidden]{display:none!important}
button,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer;border:0;border-radius:8px;padding:8px 14px;background:var(--a);color:var(--at)}
:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.launcher,.panel{position:fixed;right:20px;z-index:var(--z)}
.left>*{right:auto;left:20px}
.launcher{bottom:20px;width:56px;height:56px;border-radius:50%;padding:0;box-shadow:0 4px 16px #0004}
.launcher svg{width:26px;fill:currentColor}
.panel{bottom:88px;width:min(380px,100vw - 40px);height:min(560px,100vh - 120px);display:flex;flex-direction:column;background:var(--bg);border:1px solid var(--bd);border-radius:var(--qcw-radius,14px);box-shadow:0 12px 40px #0005;overflow:hidden}
.head{display:flex;align-items:center;justify-content:space-between;padding:8px 8px 8px 16px;border-bottom:1px solid var(--bd);font-weight:600}
.head h2{all:unset}
.head button{background:none;color:inherit}
.log{flex:1;overflow-y:auto;padding:12px 16px;display:flex;flex-direction:column;gap:10px}
.empty,.notice,.typing{color:var(--mu)}
.msg{max-width:85%;padding:8px 12px;border-radius:12px;background:var(--sf);overflow-wrap:anywhere;align-self:flex-start}
.msg p,.msg ul,.msg ol{margin:0;padding-left:20px}.msg p{padding:0}

code{font-family:monospace;background:#8883}
a{color:inherit}
.visitor,.failed{align-self:flex-end;white-space:pre-wrap}
.visitor{background:var(--a);color:var(--at)}
.refusal{border:1px solid var(--bd);background:none}
.notice{background:none;font-size:14px}
.failed{color:var(--er);font-size:14px;text-align:end}
.failed button{display:block;margin-left:auto}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid var(--bd)}
textarea{flex:1;resize:none;height:42px;padding:9px 10px;border:1px solid var(--bd);border-radius:10px;background:var(--bg)}
@media (max-width:480px){.panel{inset:0!important;width:auto;height:auto;border-radius:0}.panel:not([hidden])~.launcher{display:none}}`;
