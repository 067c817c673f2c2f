// The customer screens (lazy chunk): routes below /customer.
import type { SectionProps } from '../shell/section.ts';
import { Page } from '../ui/index.ts';
import { t } from '../i18n/index.ts';

export default function Section(props: SectionProps) {
  return (
    <Page title={t('app.persona.customer')}>
      <p>{props.path}</p>
    </Page>
  );
}
