// A real OpenID provider for quickdiag's tests: panva's oidc-provider, with
// one or more authorization servers mounted under path prefixes on a single
// loopback port. The configuration arrives as JSON on standard input; the
// line "READY <origin>" on standard output says it is listening.
//
// Each server: { name, mount, issuer_path, discovery_alias, routes, clients,
//   accounts, omit_email, refresh_omit_email, refresh_no_id_token,
//   no_refresh_token, reject_scopes }.
//
// oidc-provider drops offline_access unless the request says prompt=consent,
// which the desktop app does not send; like Okta or Ping with the Refresh
// Token grant enabled, these servers issue a refresh token to every client
// allowed the refresh_token grant (unless no_refresh_token). reject_scopes
// makes a server answer as Okta does for a scope it does not offer.
import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const cfg = JSON.parse(Buffer.concat(chunks).toString('utf8'));

let handlers = []; // [{ mount, alias, provider, server }]

function route(req, res) {
  const path = req.url.split('?')[0];
  for (const h of handlers) {
    if (h.alias && path === h.alias) {
      const rest = '/.well-known/openid-configuration' + req.url.slice(path.length);
      req.originalUrl = h.mount + rest;
      req.url = rest;
      return h.callback(req, res);
    }
  }
  // Longest mount first, so that /oauth2/default wins over /.
  for (const h of handlers) {
    const m = h.mount;
    if (m === '' || path === m || path.startsWith(m + '/')) {
      req.originalUrl = req.url;
      req.url = req.url.slice(m.length) || '/';
      return h.callback(req, res);
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('no authorization server here');
}

const srv = cfg.tls
  ? https.createServer({ cert: cfg.tls.cert, key: cfg.tls.key }, route)
  : http.createServer(route);

srv.listen(cfg.port || 0, cfg.host || '127.0.0.1', () => {
  const { port } = srv.address();
  const host = cfg.host || '127.0.0.1';
  const origin = `${cfg.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  handlers = cfg.servers.map((s) => build(s, origin))
    .sort((a, b) => b.mount.length - a.mount.length);
  process.stdout.write(`READY ${origin}\n`);
});

function signingKey(name) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `${name}-${crypto.randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

function build(s, origin) {
  const mount = (s.mount || '').replace(/\/$/, '');
  const issuer = origin + (s.issuer_path ?? mount);
  const accounts = s.accounts || {};
  const provider = new Provider(issuer, {
    clients: s.clients,
    jwks: { keys: [signingKey(s.name || 'idp')] },
    cookies: { keys: ['quickdiag-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    routes: s.routes || {},
    async issueRefreshToken(ctx, client) {
      return !s.no_refresh_token && client.grantTypeAllowed('refresh_token');
    },
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    ttl: { AccessToken: 3600, IdToken: 3600, RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 3600, AuthorizationCode: 60 },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          const a = accounts[id] || {};
          const out = { sub: id, name: a.name || id };
          const refreshing = ctx.oidc?.params?.grant_type === 'refresh_token';
          if (!s.omit_email && !(refreshing && s.refresh_omit_email)) {
            out.email = a.email || `${id}@example.com`;
            out.email_verified = a.email_verified ?? true;
          }
          return out;
        },
      };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!DOCTYPE html><html><head><title>oops! something went wrong</title></head><body><h1>oops! something went wrong</h1><pre>${
        Object.entries(out).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join('\n')}</pre></body></html>`;
    },
  });
  if (s.reject_scopes) {
    const authPath = s.routes?.authorization || '/auth';
    provider.use(async (ctx, next) => {
      const scopes = String(ctx.query.scope || '').split(' ');
      const refused = scopes.filter((x) => s.reject_scopes.includes(x));
      if (ctx.path === authPath && refused.length && ctx.query.redirect_uri) {
        const client = await provider.Client.find(String(ctx.query.client_id));
        if (client && client.redirectUriAllowed(String(ctx.query.redirect_uri))) {
          const u = new URL(String(ctx.query.redirect_uri));
          u.searchParams.set('error', 'invalid_scope');
          u.searchParams.set('error_description', 'One or more scopes are not configured for the authorization server resource.');
          if (ctx.query.state) u.searchParams.set('state', String(ctx.query.state));
          ctx.redirect(u.href);
          return;
        }
      }
      await next();
    });
  }
  if (s.refresh_no_id_token) {
    // PingFederate without "Return ID Token On Refresh Grant".
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.body && typeof ctx.body === 'object' && ctx.oidc?.params?.grant_type === 'refresh_token') {
        delete ctx.body.id_token;
      }
    });
  }
  return { mount, alias: s.discovery_alias, callback: provider.callback(), provider };
}

process.on('SIGTERM', () => srv.close(() => process.exit(0)));
