import { ButtonLink, EmptyState, Page } from '../components';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <EmptyState
        icon="search"
        title="We could not find that page."
        action={<ButtonLink to="/">Go to the start page</ButtonLink>}
      >
        <p>It may have moved, or the address may be mistyped.</p>
      </EmptyState>
    </Page>
  );
}
