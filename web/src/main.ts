import './styles.css';
import { useSession, json, messageOf } from './api';
import { AuthError, Session } from './auth/session';
import { h, fill, alertBox } from './dom';
import { type AppContext, type Me, type Page, type Role, canAudit, canManage } from './app';
import { builderPage } from './pages/builder';
import { cohortsPage, cohortPage } from './pages/cohorts';
import { ingestPage } from './pages/ingest';
import { quarantinePage } from './pages/quarantine';
import { curationPage } from './pages/curation';
import { auditPage } from './pages/audit';

interface Route {
  path: string;
  label: string;
  page: Page;
  allowed: (ctx: AppContext) => boolean;
  /** Shown in the navigation (detail routes are not). */
  nav: boolean;
}

const anyone = (ctx: AppContext) => ctx.project !== null;
const ROUTES: Route[] = [
  { path: 'builder', label: 'Cohort builder', page: builderPage, allowed: anyone, nav: true },
  { path: 'cohorts', label: 'Cohorts', page: cohortsPage, allowed: anyone, nav: true },
  { path: 'ingest', label: 'Ingest runs', page: ingestPage, allowed: canManage, nav: true },
  { path: 'quarantine', label: 'Quarantine', page: quarantinePage, allowed: canManage, nav: true },
  { path: 'deid', label: 'De-identification', page: curationPage('deid'), allowed: canManage, nav: true },
  { path: 'completeness', label: 'Completeness', page: curationPage('completeness'), allowed: canManage, nav: true },
  { path: 'qa', label: 'QA', page: curationPage('qa'), allowed: canManage, nav: true },
  { path: 'audit', label: 'Audit', page: auditPage, allowed: canAudit, nav: true },
];
const PROJECT_KEY = 'medlake.project';

const root = document.getElementById('app')!;
let cleanup: (() => void) | void;

/** Skip link: focus main without touching the hash (the hash is the route). */
document.querySelector<HTMLAnchorElement>('.skip-link')?.addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main')?.focus();
});

void boot();

async function boot(): Promise<void> {
  let session: Session;
  try {
    session = await Session.load();
    const signedIn = await session.start();
    if (!signedIn) {
      if (Session.signedOut()) {
        return signedOutView(session);
      }
      await session.login();
    }
  } catch (e) {
    return fatal(e instanceof AuthError ? e.message : messageOf(e));
  }
  useSession(session, () => void session.login());
  let me: Me;
  try {
    me = await json<Me>('/api/v1/me');
  } catch (e) {
    return fatal(messageOf(e));
  }
  shell(session, me);
}

function fatal(message: string): void {
  root.setAttribute('aria-busy', 'false');
  fill(root, h('main', { id: 'main', tabindex: '-1', class: 'center' }, h('h1', null, 'medlake'), alertBox(message),
    h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Try again')));
}

function signedOutView(session: Session): void {
  root.setAttribute('aria-busy', 'false');
  fill(root, h('main', { id: 'main', tabindex: '-1', class: 'center' }, h('h1', null, 'medlake'),
    h('p', { role: 'status' }, 'You are signed out.'),
    h('button', { type: 'button', class: 'primary', onclick: () => void session.login() }, 'Sign in')));
}

function shell(session: Session, me: Me): void {
  const projects = me.projects;
  const stored = sessionStorage.getItem(PROJECT_KEY);
  let project: string | null = projects.find((p) => p.project === stored)?.project ?? projects[0]?.project ?? null;

  const roleOut = h('span', { class: 'role', id: 'project-role' });
  const select = h('select', { 'aria-label': 'Project', 'aria-describedby': 'project-role' },
    projects.map((p) => h('option', { value: p.project }, p.project)));
  const nav = h('nav', { 'aria-label': 'Main' });
  const main = h('main', { id: 'main', tabindex: '-1' });

  const roleOf = (): Role | null => projects.find((p) => p.project === project)?.role ?? null;
  const ctx = (): AppContext => ({
    me, project, role: roleOf(), busy: (on) => main.setAttribute('aria-busy', String(on)),
  });

  select.addEventListener('change', () => {
    project = select.value;
    sessionStorage.setItem(PROJECT_KEY, project);
    // A cohort belongs to one project, and an explicit ?project= would win: go to a plain route instead.
    const { parts, query } = parseHash(location.hash);
    const target = parts[0] === 'cohorts' ? '#/cohorts' : `#/${parts.join('/')}`;
    if (query.has('project') || target !== location.hash) {
      location.hash = target;
    } else {
      render();
    }
  });

  const switcher = projects.length > 0
    ? h('div', { class: 'switcher' }, select, roleOut)
    : h('p', { class: 'no-projects' }, 'You have no projects. Ask a project admin to add you.');

  fill(root,
    h('header', { class: 'top' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◉'), 'medlake'),
      switcher,
      h('div', { class: 'user' },
        h('span', null, `Signed in as ${me.username}`),
        me.platform_admin ? h('span', { class: 'role' }, 'platform admin') : null,
        h('button', { type: 'button', onclick: () => session.logout() }, 'Sign out'))),
    h('div', { class: 'layout' }, nav, main));
  root.setAttribute('aria-busy', 'false');

  function render(): void {
    const { parts: [path, ...params], query } = parseHash(location.hash);
    // A link may name the project (#/builder?project=demo): only one of the user's projects is ever selected.
    const asked = query.get('project');
    const refused = asked !== null && !projects.some((p) => p.project === asked);
    if (asked !== null && !refused && asked !== project) {
      project = asked;
      sessionStorage.setItem(PROJECT_KEY, project);
    }
    if (project) {
      select.value = project;
    }
    roleOut.textContent = roleOf() ?? '';
    const c = ctx();
    fill(nav, h('ul', null, ROUTES.filter((r) => r.nav && r.allowed(c)).map((r) =>
      h('li', null, h('a', { href: `#/${r.path}`, 'aria-current': r.path === path ? 'page' : undefined }, r.label)))));
    if (typeof cleanup === 'function') {
      cleanup();
    }
    cleanup = undefined;
    main.replaceChildren();
    main.setAttribute('aria-busy', 'false');
    const route = ROUTES.find((r) => r.path === path);
    if (refused) {
      main.append(h('h1', null, route?.label ?? 'Project'), alertBox(`Project '${asked}' does not exist or is not one of `
        + `your projects (${projects.map((p) => p.project).join(', ') || 'none'}); nothing of it is shown. `
        + 'Choose one of your projects in the Project switcher or ask its admin for access.'));
    } else if (path === 'cohorts' && params.length > 0 && anyone(c)) {
      cleanup = cohortPage(main, c, params);
    } else if (route && route.allowed(c)) {
      cleanup = route.page(main, c, params);
    } else if (!route) {
      const first = ROUTES.find((r) => r.nav && r.allowed(c));
      if (first) {
        location.replace(`#/${first.path}`);
        return;
      }
      main.append(h('h1', null, 'No projects'), h('p', null, 'You have no projects yet, so there is no data to show. '
        + 'Ask a project admin to add you to a project.'));
    } else if (!project) {
      main.append(h('h1', null, route.label), h('p', null, 'You have no projects yet, so there is no data to show. '
        + 'Ask a project admin to add you to a project.'));
    } else {
      main.append(h('h1', null, route.label), alertBox(`Your role in project '${project}' (${roleOf() ?? 'none'}) `
        + 'does not allow this page.'));
    }
    const heading = main.querySelector('h1');
    document.title = heading ? `${heading.textContent} · medlake` : 'medlake';
  }

  let lastPath = '';
  window.addEventListener('hashchange', () => {
    render();
    // Move focus to the new page for keyboard and screen-reader users (not on the first load).
    const now = parseHash(location.hash).parts.join('/');
    if (now !== lastPath) {
      main.focus({ preventScroll: true });
    }
    lastPath = now;
  });
  lastPath = parseHash(location.hash).parts.join('/');
  render();
}

/** "#/cohorts/mr-brain?project=demo" -> parts ["cohorts", "mr-brain"], query project=demo. */
function parseHash(hash: string): { parts: string[]; query: URLSearchParams } {
  if (!hash.startsWith('#/')) {
    return { parts: [''], query: new URLSearchParams() };
  }
  const [path, search = ''] = hash.slice(2).split('?', 2);
  return { parts: path.split('/').map((s) => decodeURIComponent(s)), query: new URLSearchParams(search) };
}
