/**
 * The frame of every hosted page: plain HTML, one constant stylesheet (allowed by its hash in the
 * CSP, so no inline style or script can run), the tenant's name as the header and the tenant's
 * language on <html>. Tenancy has no colour or logo settings yet; the stylesheet follows the
 * visitor's light or dark preference.
 */
import { styleHash } from '../../../platform/http/html-page.ts'
import { html, raw, type HtmlValue, type SafeHtml } from '../../../platform/http/html.ts'

const STYLESHEET = [
  ':root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5}',
  'body{margin:0;background:Canvas;color:CanvasText}',
  'header,main{max-width:28rem;margin:0 auto;padding:0 1.25rem}',
  'header{padding-top:2rem;font-weight:600;font-size:1.1rem}',
  'h1{font-size:1.5rem;margin:1.25rem 0}',
  'label{display:block;margin:1rem 0 .25rem;font-weight:600}',
  'input{box-sizing:border-box;width:100%;padding:.6rem;font:inherit;border:1px solid GrayText;border-radius:.375rem}',
  'button{margin-top:1.25rem;padding:.65rem 1.25rem;font:inherit;font-weight:600;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;cursor:pointer}',
  'a{color:LinkText}',
  'button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}',
  '.notice{padding:.75rem 1rem;border-radius:.375rem;border:1px solid #93c5fd}',
  '.error{padding:.75rem 1rem;border-radius:.375rem;border:2px solid #dc2626}',
  '.hint,.meta{font-size:.9rem;opacity:.8}',
].join('\n')

/** One interpolation, so no formatter can add whitespace inside the element: the CSP hash covers its exact text. */
const STYLE_ELEMENT = raw(`<style>${STYLESHEET}</style>`)

/** The CSP's style-src: this stylesheet and nothing else. */
export const PAGE_STYLE_SOURCES = [styleHash(STYLESHEET)] as const

export interface LayoutOptions {
  /** The tenant's name, or null when the page could not tell which tenant it serves. */
  tenantName: string | null
  /** BCP 47 language of the page (the tenant's default locale). */
  lang: string
  title: string
  /** The browser session's CSRF token, for a same-origin client after sign-in. */
  csrfToken?: string
  requestId?: string
}

export function layout(options: LayoutOptions, body: HtmlValue): SafeHtml {
  const site = options.tenantName ?? 'Sign-in'
  return html`<!doctype html>
    <html lang="${options.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        ${options.csrfToken ? html`<meta name="csrf-token" content="${options.csrfToken}" />` : ''}
        <title>${options.title} · ${site}</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        <header>${site}</header>
        <main>
          <h1>${options.title}</h1>
          ${body} ${options.requestId ? html`<p class="meta">Reference: ${options.requestId}</p>` : ''}
        </main>
      </body>
    </html> `
}

export const paragraph = (text: HtmlValue) => html`<p>${text}</p>`
export const notice = (text: HtmlValue) => html`<p class="notice" role="status">${text}</p>`
export const problem = (text: HtmlValue) => html`<p class="error" role="alert">${text}</p>`

export interface Field {
  name: string
  label: string
  type: 'email' | 'password' | 'text'
  autocomplete: string
  required?: boolean
  hint?: string
  value?: string
  inputmode?: string
}

function input(field: Field): SafeHtml {
  const hintId = field.hint ? `${field.name}-hint` : undefined
  return html`<label for="${field.name}">${field.label}</label>
    <input
      id="${field.name}"
      name="${field.name}"
      type="${field.type}"
      autocomplete="${field.autocomplete}"
      ${field.required === false ? '' : raw(' required')}${field.value === undefined ? '' : html` value="${field.value}"`}${field.inputmode ? html` inputmode="${field.inputmode}"` : ''}${hintId ? html` aria-describedby="${hintId}"` : ''}
    />
    ${field.hint ? html`<p class="hint" id="${hintId}">${field.hint}</p>` : ''}`
}

/** A POST form to `action` with its CSRF token, hidden values, visible fields and one button. */
export function form(options: {
  action: string
  csrf: string
  hidden?: Record<string, string>
  fields?: Field[]
  submit: string
}): SafeHtml {
  const hidden = Object.entries({ ...options.hidden, csrf: options.csrf }).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  )
  return html`<form method="post" action="${options.action}">
    ${hidden} ${(options.fields ?? []).map(input)}
    <button type="submit">${options.submit}</button>
  </form>`
}
