import { Suspense, lazy, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api, queryKeys, useSession } from './api';
import type { User } from './api/types';
import {
  APP_NAME,
  Button,
  Icon,
  ShortcutsProvider,
  ToastProvider,
  useShortcutSettings,
} from './components';

// The theme menu (React Aria's menu, popover and overlay code) is not needed to paint the page:
// it loads right after, and until then its button shows, disabled.
const ThemeMenu = lazy(() => import('./components/ThemeSwitch').then((m) => ({ default: m.ThemeSwitch })));

function ThemeSwitch() {
  return (
    <Suspense
      fallback={
        <Button variant="quiet" className="theme-switch" aria-label="Theme" isDisabled icon={<Icon name="sun" />}>
          Theme
        </Button>
      }
    >
      <ThemeMenu />
    </Suspense>
  );
}

function roleName(role: string): string {
  if (role === 'lead') return 'Support lead';
  if (role === 'agent') return 'Support agent';
  return 'Customer';
}

function Brand() {
  return (
    <Link className="brand" to="/">
      <svg className="brand__logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" />
        <path d="M9 22l7-13 7 13h-3.4l-1.1-2.2h-5l-1.1 2.2zm5.8-5h2.4L16 14.6z" />
      </svg>
      <span>{APP_NAME}</span>
    </Link>
  );
}

/**
 * The header: brand, main navigation and the person's tools. On phones everything but the
 * brand folds into a "Menu" button (a disclosure: Escape closes it and returns focus).
 */
function SiteHeader({ user }: { user: User | null }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const { available: hasShortcuts, openHelp } = useShortcutSettings();
  const [signingOut, setSigningOut] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);

  // A new page closes the phone menu.
  const [lastPath, setLastPath] = useState(location.pathname);
  if (location.pathname !== lastPath) {
    setLastPath(location.pathname);
    setMenuOpen(false);
  }

  async function signOut() {
    setSigningOut(true);
    try {
      await api.signOut();
    } catch {
      // Even if the server could not be told, forget the session here.
    } finally {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.session, null);
      setSigningOut(false);
      navigate('/sign-in', { replace: true, state: { signedOut: true } });
    }
  }

  return (
    <header className="site-header">
      {/* Escape closes the phone menu (from its button or from inside it) and returns focus. */}
      <div
        className="site-header__inner"
        onKeyDown={(event) => {
          if (event.key !== 'Escape' || !menuOpen) return;
          if (!event.currentTarget.contains(event.target as Node)) return; // e.g. the theme menu's popover
          setMenuOpen(false);
          menuButton.current?.focus();
        }}
      >
        <Brand />
        {user ? (
          <>
            <Button
              ref={menuButton}
              variant="quiet"
              className="menu-button"
              aria-expanded={menuOpen}
              aria-controls="site-menu"
              icon={<Icon name={menuOpen ? 'close' : 'menu'} />}
              onPress={() => setMenuOpen((open) => !open)}
            >
              Menu
            </Button>
            <div id="site-menu" className="site-menu" data-open={menuOpen ? 'true' : 'false'}>
              <nav className="site-nav" aria-label="Main">
                <ul>
                  {user.role === 'customer' ? (
                    <>
                      <li>
                        <NavLink to="/orders" onClick={() => setMenuOpen(false)}>
                          My orders
                        </NavLink>
                      </li>
                      <li>
                        <NavLink to="/cases" end onClick={() => setMenuOpen(false)}>
                          My cases
                        </NavLink>
                      </li>
                    </>
                  ) : (
                    <>
                      <li>
                        <NavLink to="/queue" onClick={() => setMenuOpen(false)}>
                          Queue
                        </NavLink>
                      </li>
                      <li>
                        <NavLink to="/approvals" onClick={() => setMenuOpen(false)}>
                          Approvals
                        </NavLink>
                      </li>
                      {user.role === 'lead' ? (
                        <li>
                          <NavLink to="/dashboard" onClick={() => setMenuOpen(false)}>
                            Dashboard
                          </NavLink>
                        </li>
                      ) : null}
                    </>
                  )}
                </ul>
              </nav>
              <div className="site-tools">
                {hasShortcuts ? (
                  <Button variant="quiet" aria-label="Keyboard shortcuts" icon={<Icon name="keyboard" />} onPress={openHelp}>
                    Shortcuts
                  </Button>
                ) : null}
                <ThemeSwitch />
                <p className="site-user">
                  <span className="visually-hidden">Signed in as </span>
                  <span className="site-user__name">{user.name}</span>
                  <span className="site-user__role">
                    <span className="visually-hidden">, </span>
                    {roleName(user.role)}
                  </span>
                </p>
                <Button
                  variant="secondary"
                  size="sm"
                  icon={<Icon name="signOut" size={18} />}
                  isPending={signingOut}
                  onPress={() => void signOut()}
                >
                  Sign out
                </Button>
              </div>
            </div>
          </>
        ) : (
          <div className="site-tools site-tools--signed-out">
            <ThemeSwitch />
          </div>
        )}
      </div>
    </header>
  );
}

export function Layout() {
  const { data: user } = useSession();
  const staff = user?.role === 'agent' || user?.role === 'lead';
  return (
    <ToastProvider>
      <ShortcutsProvider available={staff}>
        <a className="skip-link" href="#main">
          Skip to main content
        </a>
        <SiteHeader user={user ?? null} />
        <main id="main" className="site-main" tabIndex={-1}>
          <Outlet />
        </main>
      </ShortcutsProvider>
    </ToastProvider>
  );
}
