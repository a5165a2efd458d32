import { Button } from './Button';
import { Checkbox } from './Checkbox';
import { Dialog } from './Dialog';
import { SHORTCUT_GROUPS, useShortcutSettings } from './KeyboardShortcuts';

/** The list of keyboard shortcuts (a dialog), with the switch that turns them off. */
export function ShortcutsHelp({ isOpen, onOpenChange }: { isOpen: boolean; onOpenChange: (open: boolean) => void }) {
  const { enabled, setEnabled } = useShortcutSettings();
  return (
    <Dialog title="Keyboard shortcuts" isOpen={isOpen} onOpenChange={onOpenChange} className="modal--wide">
      {(close) => (
        <>
          <div className="dialog__body shortcuts">
            <p>Press a key when you are not typing in a field.</p>
            {SHORTCUT_GROUPS.map((group) => (
              <section key={group.title} className="shortcuts__group" aria-labelledby={`shortcuts-${group.title}`}>
                <h3 className="shortcuts__title" id={`shortcuts-${group.title}`}>
                  {group.title}
                </h3>
                <dl className="shortcuts__list">
                  {group.items.map((item) => (
                    <div key={item.label} className="shortcuts__item">
                      <dt>
                        {item.keys.map((k) => (
                          <kbd key={k}>{k}</kbd>
                        ))}
                      </dt>
                      <dd>{item.label}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            ))}
            <Checkbox isSelected={enabled} onChange={setEnabled}>
              Use single-key shortcuts
            </Checkbox>
          </div>
          <div className="dialog__actions">
            <Button onPress={close}>Close</Button>
          </div>
        </>
      )}
    </Dialog>
  );
}
