import { expect, test } from '@playwright/test';
import {
  CUSTOMER,
  customerRefundCard,
  escapeRegExp,
  openCaseOnOrder,
  ordersWithQuotes,
  planAnyRefund,
  planPendingRefund,
  quantityField,
  signIn,
  tabTo,
  uniqueSuffix,
  watchConsole,
  withRefundLock,
} from './helpers';

// The whole refund request, from the case page to the confirmation and back out again (cancel),
// with the keyboard alone: Tab, Shift+Tab, Space, Enter, the arrow keys and typing.
test('a customer asks for a refund, and cancels it, with the keyboard alone', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchConsole(page);
  await signIn(page, CUSTOMER);
  // From reading what can be refunded to the request: while no other spec does the same.
  const asked = await withRefundLock(async () => {
    const orders = await ordersWithQuotes(page);
    // A refund that waits for approval can be cancelled again, which leaves the data as it was.
    const plan = planPendingRefund(orders) ?? planAnyRefund(orders);
    test.skip(plan === null, 'Nothing is left to refund in the demo orders: reset the demo data (make clean).');
    if (!plan) return;
    const item = plan.picks[0]!.title;
    const opened = await openCaseOnOrder(page, plan.orderId, `Refund by keyboard ${uniqueSuffix()}`, 'Asking by keyboard only.');

    // From the case page's heading to "Ask for a refund".
    await expect(page.getByRole('heading', { level: 1, name: opened.subject })).toBeFocused();
    await tabTo(page, page.getByRole('link', { name: 'Ask for a refund' }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Ask for a refund' })).toBeFocused();

    // Trying to go on with nothing chosen: the error summary takes focus and links to the fields.
    await tabTo(page, page.getByRole('button', { name: 'Continue to review' }), 60);
    await page.keyboard.press('Enter');
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await expect(summary).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(summary.getByRole('link', { name: 'Choose at least one item to refund.' })).toBeFocused();
    await page.keyboard.press('Enter');
    // The first item that can be chosen has focus now.
    await expect(page.getByRole('group', { name: 'Items' }).getByRole('checkbox', { disabled: false }).first()).toBeFocused();

    // Tick the item with Space, then say how many.
    const checkbox = page.getByRole('checkbox', { name: new RegExp(`^${escapeRegExp(item)}`) });
    await tabTo(page, checkbox);
    await page.keyboard.press('Space');
    await expect(checkbox).toBeChecked();
    await page.keyboard.press('Tab');
    const quantity = quantityField(page, item);
    await expect(quantity).toBeFocused();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('0');
    await page.keyboard.press('Tab'); // leaving the field shows what is wrong
    await expect(quantity).toHaveAttribute('aria-invalid', 'true');
    await page.keyboard.press('Shift+Tab');
    await expect(quantity).toBeFocused();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('1');
    await expect(quantity).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(/^Total refund:/)).not.toHaveText('Total refund: €0.00');

    // The reason: a list opened with the keyboard.
    const reason = page.getByRole('button', { name: /Why are you asking for a refund/ });
    await tabTo(page, reason);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('listbox')).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('listbox')).toHaveCount(0);
    await expect(reason).toBeFocused();
    await expect(reason).not.toContainText('Choose a reason');

    // The method: arrow keys move the choice inside the group.
    const original = page.getByRole('radio', { name: /Back to my original payment/ });
    await tabTo(page, original);
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('radio', { name: /As store credit/ })).toBeChecked();
    await page.keyboard.press('ArrowUp');
    await expect(original).toBeChecked();

    await page.keyboard.press('Tab');
    await expect(page.getByLabel(/Anything else we should know/)).toBeFocused();
    await page.keyboard.type('Sent with the keyboard.');

    await tabTo(page, page.getByRole('button', { name: 'Continue to review' }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Check your refund request' })).toBeFocused();
    await expect(page.getByRole('table', { name: 'Items to refund' })).toContainText(item);
    await tabTo(page, page.getByRole('button', { name: 'Send refund request' }));
    await page.keyboard.press('Enter');

    // Back on the case, which shows the request and what happens next.
    const flash = page.getByText(/(We have your refund request|Your refund) R-\d+/);
    await expect(flash).toBeVisible();
    const number = /R-\d+/.exec(await flash.innerText())?.[0] as string;
    await expect(page.getByRole('heading', { level: 1, name: opened.subject })).toBeFocused();
    await expect(customerRefundCard(page, number)).toContainText('What happens next:');
    return { number };
  });
  if (!asked) return;
  const { number } = asked;
  const card = customerRefundCard(page, number);

  // Cancel it again, still by keyboard, if it waits for approval (a small one is approved at once).
  const cancel = card.getByRole('button', { name: 'Cancel this request' });
  if (await cancel.count()) {
    await tabTo(page, cancel, 60);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog', { name: `Cancel refund request ${number}?` });
    await expect(dialog.getByRole('button', { name: 'Keep it' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Cancel request' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByText(`Your refund request ${number} is cancelled.`)).toBeVisible();
    await expect(card.locator('.badge')).toHaveText('Cancelled');
    await expect(page.getByRole('heading', { level: 3, name: `Refund ${number}` })).toBeFocused();
  }
  expect(errors).toEqual([]);
});
