import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, isApiError, humanMessage, queryKeys, useSession } from '../api';
import type { User } from '../api/types';
import { Alert, Button, ErrorSummary, Page, TextField, type SummaryItem } from '../components';
import { homePath } from '../lib/routes';
import { useFocusOnChange } from '../lib/useErrorSummary';

interface Errors {
  email?: string;
  password?: string;
  form?: string;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateSignIn(email: string, password: string): Errors {
  const errors: Errors = {};
  if (!email.trim()) errors.email = 'Enter your email address.';
  else if (!EMAIL_PATTERN.test(email.trim()))
    errors.email = 'Enter an email address in the right format, like name@example.com.';
  if (!password) errors.password = 'Enter your password.';
  return errors;
}

function waitText(seconds: number | null): string {
  if (!seconds || seconds <= 60) return 'Please wait a minute and try again.';
  const minutes = Math.ceil(seconds / 60);
  return `Please wait ${minutes} minutes and try again.`;
}

export function signInErrors(error: unknown): Errors {
  if (!isApiError(error)) return { form: humanMessage(error) };
  if (error.status === 401) {
    return { form: 'The email address or password is not right. Check them and try again.' };
  }
  if (error.status === 429) {
    return { form: `There have been too many attempts to sign in. ${waitText(error.retryAfterSeconds)}` };
  }
  if (error.fieldErrors.length > 0) {
    const errors: Errors = {};
    for (const fe of error.fieldErrors) {
      if (fe.field === 'email' || fe.field === 'password') errors[fe.field] = fe.message;
      else errors.form = fe.message;
    }
    return errors;
  }
  return { form: error.detail };
}

export function SignInPage() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [attempt, setAttempt] = useState(0);
  const summaryRef = useFocusOnChange<HTMLDivElement>(attempt);

  const state = location.state as { from?: string; signedOut?: boolean } | null;
  const from = state?.from;

  const signIn = useMutation({
    mutationFn: api.signIn,
    onSuccess: ({ user }: { user: User }) => {
      queryClient.setQueryData(queryKeys.session, user);
      navigate(from && from.startsWith('/') ? from : homePath(user.role), { replace: true });
    },
    onError: (error) => {
      setErrors(signInErrors(error));
      setAttempt((n) => n + 1);
    },
  });

  if (session.data) return <Navigate to={homePath(session.data.role)} replace />;

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (signIn.isPending) return;
    const found = validateSignIn(email, password);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setAttempt((n) => n + 1);
      return;
    }
    signIn.mutate({ email: email.trim(), password });
  }

  const items: SummaryItem[] = [];
  if (errors.form) items.push({ message: errors.form });
  if (errors.email) items.push({ fieldId: 'sign-in-email', message: errors.email });
  if (errors.password) items.push({ fieldId: 'sign-in-password', message: errors.password });

  return (
    <Page title="Sign in" lead="Sign in to see your orders and get help with them." width="narrow">
      {state?.signedOut && items.length === 0 ? <Alert tone="success">You have signed out.</Alert> : null}
      <ErrorSummary ref={summaryRef} items={items} />
      <form className="form card card--form" onSubmit={onSubmit} noValidate>
        <TextField
          id="sign-in-email"
          label="Email address"
          type="email"
          name="email"
          autoComplete="username"
          spellCheck={false}
          value={email}
          onChange={setEmail}
          error={errors.email}
        />
        <TextField
          id="sign-in-password"
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        <div className="form__actions">
          <Button type="submit" isPending={signIn.isPending} className="button--block-phone">
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </div>
      </form>
    </Page>
  );
}
