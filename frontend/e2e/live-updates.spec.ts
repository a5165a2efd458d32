import { expect, test } from '@playwright/test';
import { AGENT, CUSTOMER, openCaseOnFirstOrder, signIn, uniqueSuffix, watchConsole } from './helpers';

// The customer has the case open; the agent replies from another browser; the reply appears on
// the customer's page by itself (server-sent events), announced in the notification area.
test('a reply from support appears on the customer’s open case page without a reload', async ({ browser }) => {
  const suffix = uniqueSuffix();
  const subject = `Blender is loud ${suffix}`;
  const reply = `Thanks, we are sending a replacement ${suffix}`;
  const customerContext = await browser.newContext();
  const agentContext = await browser.newContext();
  try {
    const customer = await customerContext.newPage();
    const agent = await agentContext.newPage();
    const customerErrors = watchConsole(customer);
    const agentErrors = watchConsole(agent);

    await signIn(customer, CUSTOMER);
    const opened = await openCaseOnFirstOrder(customer, subject, 'The blender makes a grinding noise.');
    // Marks this page load: a reload would lose it.
    await customer.evaluate(() => {
      (window as unknown as { e2eMarker: string }).e2eMarker = 'still here';
    });
    const conversation = customer.getByRole('region', { name: 'Conversation' });
    await expect(conversation.getByText(reply)).toHaveCount(0);

    await signIn(agent, AGENT);
    await agent.goto(opened.url);
    await expect(agent.getByRole('heading', { level: 1, name: subject })).toBeVisible();
    await agent.getByLabel('Message', { exact: true }).fill(reply);
    await agent.getByRole('button', { name: 'Send reply to customer' }).click();
    await expect(agent.getByText('Your reply was sent to the customer.')).toBeVisible();

    await expect(conversation.getByText(reply)).toBeVisible({ timeout: 20_000 });
    await expect(
      customer.getByRole('region', { name: 'Notifications' }).getByText('New message from support'),
    ).toBeVisible();
    expect(await customer.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('still here');
    // The status moved on with the reply, too.
    await expect(customer.getByRole('region', { name: 'Status' })).toContainText('In progress');

    expect(customerErrors).toEqual([]);
    expect(agentErrors).toEqual([]);
  } finally {
    await customerContext.close();
    await agentContext.close();
  }
});
