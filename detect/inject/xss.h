/* detect/inject/xss.h — cross-site scripting in one untrusted value.
 *
 * Contract: xss_detect() reads s[0, n) as the browser would get it once
 * the application reflects it (decode it first with URL, HTML and JS/CSS
 * decoding: decode.h), and returns 1 when it looks like XSS, 0 when not;
 * *out is always filled (score 0 when nothing was found). It never
 * allocates, keeps no state, and looks at no more than XSS_MAX_INPUT bytes
 * and XSS_MAX_ATTRS attributes per tag.
 *
 * How: one pass reads markup the way an HTML tokenizer would — a tag is '<'
 * and a letter, its name runs to white space, '/' or '>', attributes are
 * separated by white space or '/', values are quoted with ", ' or ` or run
 * to white space — and a second pass reads what runs as script anywhere.
 * Strong (100) on its own:
 *   - tags that run or load code: script, iframe, frame, object, embed,
 *     applet, import;
 *   - any attribute named on* with a value (onload=, onerror =, on anything
 *     of three letters or more: <x onxxx=1>, <svg/onload=...>);
 *   - a URL attribute (href, src, action, formaction, data, xlink:href,
 *     background, poster, ...) or a meta refresh whose value starts with
 *     javascript:, vbscript:, livescript: or data:text/html (or another
 *     scriptable data: type), with tabs, newlines and leading controls
 *     ignored as browsers ignore them; srcdoc= with markup;
 *   - CSS that runs code: expression(, behavior:, -moz-binding, @import
 *     of javascript:, in a style attribute, a <style> or after ':';
 *   - javascript:/vbscript: URLs anywhere (the value may land in an href);
 *   - JS sinks: alert/prompt/confirm/eval/setTimeout/... called with ( or
 *     a template string, or passed as a value ([1].find(alert)); document.
 *     cookie/write/domain, location.hash, .innerHTML=, fromCharCode(, and
 *     top[...](...) style property calls.
 * Weak (added up): svg, math, meta, base, link, style, xml, isindex, form
 * and similar tags alone; a quote that closes an attribute right before a
 * tag ("><); closing a raw-text element (</title>, </textarea>, </script>);
 * <!--, <![CDATA[, ]]>, <? and <!ENTITY; a quote, an operator and a call
 * (';x(1)//), which is how code breaks out of a JS string.
 *
 * Not flagged on purpose: formatting markup (<b>bold</b>, <i>, <p>, <br>,
 * <a href="http://...">), "<3", "a < b", quotes in text. A comment field
 * that allows <b> is common; script, handlers and script URLs are not.
 */
#ifndef HABIT_DETECT_INJECT_XSS_H
#define HABIT_DETECT_INJECT_XSS_H

#include <stddef.h>
#include <stdint.h>

#include "detect/inject/inject.h"

#define XSS_MAX_INPUT 8192 /* bytes of a value looked at */
#define XSS_MAX_ATTRS 32   /* attributes read per tag */

struct xss_result {
  int detected;
  struct inj_finding f; /* context 'h' markup, 'j' script */
};

int xss_detect(const uint8_t *s, size_t n, struct xss_result *out);

#endif
