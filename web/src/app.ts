/** The shared state of the signed-in app: who the user is and which project is selected. */
export type Role = 'viewer' | 'editor' | 'admin';

export interface Me {
  username: string;
  platform_admin: boolean;
  projects: Array<{ project: string; role: Role }>;
}

export interface AppContext {
  readonly me: Me;
  /** The selected project, or null when the user has none. */
  readonly project: string | null;
  readonly role: Role | null;
  /** Set the page's busy state (aria-busy on main). */
  busy(on: boolean): void;
}

/** Data-manager pages: editors and admins of the project. */
export function canManage(ctx: AppContext): boolean {
  return ctx.role === 'editor' || ctx.role === 'admin';
}

export function isAdmin(ctx: AppContext): boolean {
  return ctx.role === 'admin';
}

/** The audit log: project admins and platform admins. */
export function canAudit(ctx: AppContext): boolean {
  return ctx.role === 'admin' || ctx.me.platform_admin;
}

/** A page renders into `main` and returns a cleanup to run when the route changes. */
export type Page = (main: HTMLElement, ctx: AppContext, params: string[]) => void | (() => void);
