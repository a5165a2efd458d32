import { expect, test, type Page } from '@playwright/test';
import { AGENT, CUSTOMER, openCaseOnFirstOrder, signIn, uniqueSuffix, watchConsole } from './helpers';

/** The case's conversation, as a list of messages. */
const conversation = (page: Page) => page.getByRole('list', { name: 'Messages, oldest first' });

test('customer and agent work a case to resolution; internal notes stay internal', async ({ browser }) => {
  const suffix = uniqueSuffix();
  const subject = `Parcel arrived damaged ${suffix}`;
  const agentReply = `Sorry to hear that. Could you send a photo? ${suffix}`;
  const internalNote = `Courier damage, check with the warehouse ${suffix}`;
  const customerReply = `Here is the photo you asked for ${suffix}`;

  const customerContext = await browser.newContext();
  const agentContext = await browser.newContext();
  try {
    const customer = await customerContext.newPage();
    const agent = await agentContext.newPage();
    const customerErrors = watchConsole(customer);
    const agentErrors = watchConsole(agent);

    // The customer opens a case.
    await signIn(customer, CUSTOMER);
    const opened = await openCaseOnFirstOrder(
      customer,
      subject,
      'The box was crushed and the lamp inside is bent.',
    );

    // The agent finds it in the queue by its subject.
    await signIn(agent, AGENT);
    await expect(agent.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
    const row = agent.getByRole('row').filter({ hasText: subject });
    await expect(async () => {
      await agent.getByLabel('Search subjects and messages').fill(subject);
      await agent.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(row).toHaveCount(1, { timeout: 3_000 });
    }).toPass({ timeout: 30_000 });
    await expect(row).toContainText(opened.number);
    await row.getByRole('link', { name: opened.number }).click();
    await expect(agent.getByRole('heading', { level: 1, name: subject })).toBeVisible();

    // Assigns it to themself.
    await agent.getByRole('button', { name: 'Assign to me' }).click();
    await expect(agent.getByText('Assigned to you.')).toBeVisible();
    await expect(agent.getByRole('button', { name: 'Assign to me' })).toHaveCount(0);

    // Replies to the customer.
    await agent.getByLabel('Message', { exact: true }).fill(agentReply);
    await agent.getByRole('button', { name: 'Send reply to customer' }).click();
    await expect(agent.getByText('Your reply was sent to the customer.')).toBeVisible();
    await expect(conversation(agent).getByText(agentReply)).toBeVisible();

    // Adds an internal note, visibly marked as such.
    await agent.getByLabel('Message', { exact: true }).fill(internalNote);
    await agent.getByRole('button', { name: 'Add internal note' }).click();
    await expect(agent.getByText('Your internal note was added.')).toBeVisible();
    const note = conversation(agent).getByRole('listitem').filter({ hasText: internalNote });
    await expect(note).toBeVisible();
    await expect(note.getByText('Internal note', { exact: true })).toBeVisible();

    // The customer sees the reply but not the note, and replies.
    await customer.goto(opened.url);
    await expect(customer.getByRole('heading', { level: 1, name: subject })).toBeVisible();
    await expect(conversation(customer).getByText(agentReply)).toBeVisible();
    await expect(customer.getByText(internalNote)).toHaveCount(0);
    await expect(customer.getByText('Internal note')).toHaveCount(0);
    await customer.getByLabel('Your reply').fill(customerReply);
    await customer.getByRole('button', { name: 'Send reply' }).click();
    await expect(customer.getByText('Your message was sent.')).toBeVisible();
    await expect(conversation(customer).getByText(customerReply)).toBeVisible();

    // The agent sees the customer's reply and resolves the case.
    await agent.reload();
    await expect(conversation(agent).getByText(customerReply)).toBeVisible();
    // Resolving asks first; cancelling changes nothing and gives focus back to the button.
    const resolve = agent.getByRole('button', { name: 'Resolve case' });
    await resolve.click();
    const confirm = agent.getByRole('alertdialog', { name: 'Resolve this case?' });
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await agent.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(resolve).toBeFocused();
    await resolve.click();
    await confirm.getByRole('button', { name: 'Resolve case' }).click();
    await expect(agent.getByText('The case is now resolved.')).toBeVisible();
    // The button is gone with the old status: focus stays in the case's status controls.
    await expect(agent.getByRole('heading', { name: 'Status', level: 3 })).toBeFocused();

    // The customer sees it resolved, with what happens next.
    await customer.reload();
    await expect(customer.getByRole('region', { name: 'Status' })).toContainText('Resolved');
    await expect(customer.getByText(/If you still need help, reply below/)).toBeVisible();

    // Closing is final, so the customer is asked first.
    await customer.getByRole('button', { name: 'All sorted: close this case' }).click();
    const closeDialog = customer.getByRole('alertdialog', { name: 'Close this case?' });
    await closeDialog.getByRole('button', { name: 'Close case' }).click();
    await expect(customer.getByText('Your case is closed. Thank you.')).toBeVisible();
    await expect(customer.getByRole('region', { name: 'Status' })).toContainText('Closed');
    await expect(customer.getByRole('heading', { name: 'Status', level: 2 })).toBeFocused();

    expect(customerErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  } finally {
    await customerContext.close();
    await agentContext.close();
  }
});
