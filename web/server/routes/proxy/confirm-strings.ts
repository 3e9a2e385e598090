/** The double opt-in page's words, in the 8 storefront languages; rendered in the shop's theme through the app proxy. */
export interface ConfirmPageStrings {
  title: string;
  intro: string;
  button: string;
  confirmed: string;
  already: string;
  expired: string;
  expiredText: string;
  resend: string;
  resent: string;
  invalid: string;
}

const STRINGS: Record<string, ConfirmPageStrings> = {
  en: {
    title: 'Confirm your subscription',
    intro: 'Press the button to confirm that you want to receive our e-mails.',
    button: 'Confirm',
    confirmed: 'Thank you, your subscription is confirmed.',
    already: 'Your subscription is already confirmed.',
    expired: 'This confirmation link has expired.',
    expiredText: 'Confirmation links are valid for a limited time. We can send you a new one.',
    resend: 'Send me a new link',
    resent: 'A new link is on its way: please check your inbox.',
    invalid: 'This confirmation link is not valid.',
  },
  fr: {
    title: 'Confirmez votre inscription',
    intro: 'Appuyez sur le bouton pour confirmer que vous souhaitez recevoir nos e-mails.',
    button: 'Confirmer',
    confirmed: 'Merci, votre inscription est confirmée.',
    already: 'Votre inscription est déjà confirmée.',
    expired: 'Ce lien de confirmation a expiré.',
    expiredText: 'Les liens de confirmation sont valables pendant une durée limitée. Nous pouvons vous en envoyer un nouveau.',
    resend: 'M’envoyer un nouveau lien',
    resent: 'Un nouveau lien est en route : consultez votre boîte de réception.',
    invalid: 'Ce lien de confirmation n’est pas valide.',
  },
  de: {
    title: 'Anmeldung bestätigen',
    intro: 'Klicken Sie auf die Schaltfläche, um zu bestätigen, dass Sie unsere E-Mails erhalten möchten.',
    button: 'Bestätigen',
    confirmed: 'Vielen Dank, Ihre Anmeldung ist bestätigt.',
    already: 'Ihre Anmeldung ist bereits bestätigt.',
    expired: 'Dieser Bestätigungslink ist abgelaufen.',
    expiredText: 'Bestätigungslinks sind nur begrenzt gültig. Wir können Ihnen einen neuen senden.',
    resend: 'Neuen Link senden',
    resent: 'Ein neuer Link ist unterwegs: Bitte sehen Sie in Ihrem Posteingang nach.',
    invalid: 'Dieser Bestätigungslink ist ungültig.',
  },
  es: {
    title: 'Confirma tu suscripción',
    intro: 'Pulsa el botón para confirmar que quieres recibir nuestros correos.',
    button: 'Confirmar',
    confirmed: 'Gracias, tu suscripción está confirmada.',
    already: 'Tu suscripción ya estaba confirmada.',
    expired: 'Este enlace de confirmación ha caducado.',
    expiredText: 'Los enlaces de confirmación son válidos durante un tiempo limitado. Podemos enviarte uno nuevo.',
    resend: 'Enviarme un enlace nuevo',
    resent: 'Un enlace nuevo está en camino: revisa tu bandeja de entrada.',
    invalid: 'Este enlace de confirmación no es válido.',
  },
  it: {
    title: 'Conferma la tua iscrizione',
    intro: 'Premi il pulsante per confermare che vuoi ricevere le nostre e-mail.',
    button: 'Conferma',
    confirmed: 'Grazie, la tua iscrizione è confermata.',
    already: 'La tua iscrizione è già confermata.',
    expired: 'Questo link di conferma è scaduto.',
    expiredText: 'I link di conferma sono validi per un tempo limitato. Possiamo inviartene uno nuovo.',
    resend: 'Inviami un nuovo link',
    resent: 'Un nuovo link è in arrivo: controlla la tua casella di posta.',
    invalid: 'Questo link di conferma non è valido.',
  },
  nl: {
    title: 'Bevestig je inschrijving',
    intro: 'Druk op de knop om te bevestigen dat je onze e-mails wilt ontvangen.',
    button: 'Bevestigen',
    confirmed: 'Bedankt, je inschrijving is bevestigd.',
    already: 'Je inschrijving is al bevestigd.',
    expired: 'Deze bevestigingslink is verlopen.',
    expiredText: 'Bevestigingslinks zijn beperkt geldig. We kunnen je een nieuwe sturen.',
    resend: 'Stuur me een nieuwe link',
    resent: 'Er is een nieuwe link onderweg: kijk in je inbox.',
    invalid: 'Deze bevestigingslink is niet geldig.',
  },
  'pt-BR': {
    title: 'Confirme sua inscrição',
    intro: 'Toque no botão para confirmar que deseja receber nossos e-mails.',
    button: 'Confirmar',
    confirmed: 'Obrigado, sua inscrição está confirmada.',
    already: 'Sua inscrição já estava confirmada.',
    expired: 'Este link de confirmação expirou.',
    expiredText: 'Os links de confirmação valem por tempo limitado. Podemos enviar um novo.',
    resend: 'Enviar um novo link',
    resent: 'Um novo link está a caminho: confira sua caixa de entrada.',
    invalid: 'Este link de confirmação não é válido.',
  },
  ja: {
    title: '購読の確認',
    intro: 'メールの受信を希望される場合は、ボタンを押して確認してください。',
    button: '確認',
    confirmed: 'ありがとうございます。購読が確認されました。',
    already: '購読はすでに確認済みです。',
    expired: 'この確認リンクは有効期限が切れています。',
    expiredText: '確認リンクの有効期間は限られています。新しいリンクをお送りできます。',
    resend: '新しいリンクを送信',
    resent: '新しいリンクを送信しました。受信トレイをご確認ください。',
    invalid: 'この確認リンクは無効です。',
  },
};

export const CONFIRM_PAGE_LOCALES = Object.keys(STRINGS);

export function confirmPageStrings(locale: string | null | undefined): ConfirmPageStrings {
  const wanted = (locale ?? '').toLowerCase();
  const key = Object.keys(STRINGS).find((k) => k.toLowerCase() === wanted) ?? (wanted.startsWith('pt') ? 'pt-BR' : wanted.split('-')[0]);
  return STRINGS[key ?? 'en'] ?? STRINGS.en!;
}
