import { Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { THEME_LABELS, useTheme, type ThemeChoice } from '../lib/theme';
import { Button } from './Button';
import { Icon, type IconName } from './Icon';

const ICONS: Record<ThemeChoice, IconName> = { system: 'monitor', light: 'sun', dark: 'moon' };
const CHOICES: ThemeChoice[] = ['system', 'light', 'dark'];

/** "Theme" menu: match the device (default), light or dark; remembered on this device. */
export function ThemeSwitch() {
  const { choice, theme, setChoice } = useTheme();
  return (
    <MenuTrigger>
      <Button
        variant="quiet"
        className="theme-switch"
        aria-label={`Theme: ${THEME_LABELS[choice]}`}
        icon={<Icon name={theme === 'dark' ? 'moon' : 'sun'} />}
      >
        Theme
      </Button>
      <Popover className="popover" placement="bottom end" offset={6}>
        <Menu
          className="menu"
          aria-label="Theme"
          selectionMode="single"
          disallowEmptySelection
          selectedKeys={[choice]}
          onSelectionChange={(keys) => {
            const [next] = Array.from(keys === 'all' ? [] : keys);
            if (next) setChoice(next as ThemeChoice);
          }}
        >
          {CHOICES.map((c) => (
            <MenuItem key={c} id={c} className="menu__item" textValue={THEME_LABELS[c]}>
              {({ isSelected }) => (
                <>
                  <Icon name={ICONS[c]} size={18} />
                  <span className="menu__label">{THEME_LABELS[c]}</span>
                  <span className="menu__check">{isSelected ? <Icon name="check" size={16} /> : null}</span>
                </>
              )}
            </MenuItem>
          ))}
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
