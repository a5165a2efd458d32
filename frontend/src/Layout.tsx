import { useState } from 'react';
import { Link, NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api, queryKeys, useSession } from './api';
import { APP_NAME, Button } from './components';

function roleName(role: string): string {
  if (role === 'lead') return 'Support lead';
  if (role === 'agent') return 'Support agent';
  return 'Customer';
}

export function Layout() {
  const { data: user } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);

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
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link className="site-header__brand" to="/">
            {APP_NAME}
          </Link>
          {user ? (
            <nav className="site-nav" aria-label="Main">
              <ul>
                {user.role === 'customer' ? (
                  <>
                    <li>
                      <NavLink to="/orders">My orders</NavLink>
                    </li>
                    <li>
                      <NavLink to="/cases" end>
                        My cases
                      </NavLink>
                    </li>
                  </>
                ) : (
                  <li>
                    <NavLink to="/queue">Queue</NavLink>
                  </li>
                )}
              </ul>
            </nav>
          ) : null}
          {user ? (
            <div className="site-header__user">
              <span>
                <span className="visually-hidden">Signed in as </span>
                <span className="site-header__name">{user.name}</span>
                <span className="site-header__role"> ({roleName(user.role)})</span>
              </span>
              <Button variant="secondary" onClick={() => void signOut()} busy={signingOut}>
                Sign out
              </Button>
            </div>
          ) : null}
        </div>
      </header>
      <main id="main" className="site-main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
