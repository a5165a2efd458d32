import { screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';

/** Opens the select labelled `label` (a button that opens a list box) and picks `option`. */
export async function chooseOption(user: UserEvent, label: string | RegExp, option: string): Promise<void> {
  await user.click(screen.getByLabelText(label));
  await user.click(await screen.findByRole('option', { name: option }));
}
