import { matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';
import { inDevConfig, inTestConfig, settingsOf } from './web';

const EXEMPT_DECORATORS = ['django.views.decorators.csrf.csrf_exempt', 'csrf_exempt', '*.csrf_exempt'];
/** Flask-WTF's `CSRFProtect()` instance, by its usual names: `@csrf.exempt`, `csrf.exempt(bp)`. */
const FLASK_EXEMPT = /^(self\.)?_*(csrf|csrf_protect|csrfprotect|csrf_protection)\.exempt$/i;
const OFF_SETTINGS = new Set(['WTF_CSRF_ENABLED', 'CSRF_ENABLED']);

const rule: Rule = {
  code: 'SL606',
  name: 'csrf-protection-disabled',
  category: 'web',
  summary: 'CSRF protection switched off for a view or the whole application',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [352],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'Cross-site request forgery protection is turned off: a view decorated with Django\'s `@csrf_exempt` or Flask-WTF\'s `@csrf.exempt`, a blueprint passed to `csrf.exempt(bp)`, or `WTF_CSRF_ENABLED = False` (module or config class attribute, `app.config[...]`, `app.config.update(...)`). Test configuration (`TESTING = True`, `class TestConfig`) and test code are not reported (development configuration classes get an information hint), nor `@csrf_protect` or `@requires_csrf_token`.',
    why:
      'Browsers attach the user\'s cookies to requests that other sites trigger. Without the CSRF token check, a page the victim visits can submit a form to the exempt view with the victim\'s session: change their e-mail or password, transfer money, create an admin (CWE-352). Exempting a view is right only when it does not use cookie authentication at all (an API authenticated by a header token, a webhook verified by a signature), and that check must then be in the view.',
    example:
      'from django.views.decorators.csrf import csrf_exempt\n\n\n@csrf_exempt\ndef change_email(request):\n    request.user.email = request.POST["email"]\n    request.user.save()',
    useInstead:
      'from django.views.decorators.http import require_POST\n\n\n@require_POST\ndef change_email(request):  # CsrfViewMiddleware checks the token\n    request.user.email = request.POST["email"]\n    request.user.save()\n\n\n# a webhook: verify the sender\'s signature instead of relying on cookies\n@csrf_exempt\ndef stripe_webhook(request):\n    event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], WEBHOOK_SECRET)',
    references: [
      'https://cwe.mitre.org/data/definitions/352.html',
      'https://docs.djangoproject.com/en/stable/howto/csrf/',
      'https://flask-wtf.readthedocs.io/en/latest/csrf/',
      'https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html',
    ],
  },
  triggers: ['csrf_exempt', ...OFF_SETTINGS],
  // `csrf.exempt`, in any case (FLASK_EXEMPT is case-insensitive).
  triggerPattern: /\.exempt\b/i,
  nodeTypes: ['decorator', 'assignment'],
  onNode(node, ctx) {
    if (node.type === 'decorator') {
      let expr = node.namedChild(0);
      if (expr?.type === 'call') expr = expr.childForFieldName('function');
      if (!expr) return;
      const q = ctx.names.resolve(expr);
      if (!matchesAny(q, EXEMPT_DECORATORS) && !FLASK_EXEMPT.test(expr.text)) return;
      if (inTestConfig(node, ctx)) return;
      const fn = node.parent?.childForFieldName('definition')?.childForFieldName('name')?.text ?? 'this view';
      ctx.report({
        node,
        message: `\`${expr.text}\` turns off CSRF checks for \`${fn}\`: any site the user visits can send this request with the user's cookies. Keep the check, or exempt only views that do not use cookie authentication and verify the caller another way (a signature or an Authorization header).`,
      });
      return;
    }
    for (const s of settingsOf(node)) {
      if (!OFF_SETTINGS.has(s.key) || s.value.type !== 'false' || inTestConfig(node, ctx)) continue;
      ctx.report({ node, level: inDevConfig(node) ? 'info' : undefined, message: `${s.key} = False turns off Flask-WTF's CSRF protection for every form: any site the user visits can submit them with the user's cookies. Leave it on outside tests.` });
    }
  },
  onCall(site, ctx) {
    if (site.callee?.type === 'attribute' && ['update', 'from_mapping'].includes(site.callee.childForFieldName('attribute')?.text ?? '')) {
      for (const s of settingsOf(site.node)) {
        if (!OFF_SETTINGS.has(s.key) || s.value.type !== 'false' || inTestConfig(site.node, ctx)) continue;
        ctx.report({ node: s.value.parent ?? s.value, message: `${s.key}=False turns off Flask-WTF's CSRF protection for every form: any site the user visits can submit them with the user's cookies. Leave it on outside tests.` });
      }
      return;
    }
    if (!FLASK_EXEMPT.test(site.callee?.text ?? '') || site.node.parent?.type === 'decorator' || inTestConfig(site.node, ctx)) return;
    ctx.report({ node: site.node, message: `\`${site.callee!.text}(${site.positional[0]?.text ?? ''})\` turns off CSRF checks for everything it covers: any site the user visits can send those requests with the user's cookies. Exempt only views that do not use cookie authentication.` });
  },
};

export default rule;
