// The operator screens (lazy chunk): routes below /operator.
import type { SectionProps } from '../shell/section.ts';
import { Page } from '../ui/index.ts';
import { t } from '../i18n/index.ts';

export default function Section(props: SectionProps) {
  return (
    <Page title={t('app.persona.operator')}>
      <p>{props.path}</p>
    </Page>
  );
}
