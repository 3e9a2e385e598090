/**
 * What the app's e-mails say, per storefront language (the shopper's). `{{name}}` values are escaped when rendered.
 * Kept here rather than in the theme extension's locales: these strings are sent by the server, never by the theme,
 * and would only add to what every storefront downloads.
 */
export interface MailStrings {
  confirmSubject: string;
  hello: string;
  helloName: string;
  confirmIntro: string;
  confirmButton: string;
  confirmExpires: string;
  confirmIgnore: string;
  replySubject: string;
  sentBy: string;
  /** The autoresponder's defaults, used when the merchant left the form's subject or text empty. */
  autoreplySubject: string;
  autoreplyText: string;
}

export const MAIL_LOCALES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt-BR', 'ja'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export const MAIL_STRINGS: Record<MailLocale, MailStrings> = {
  en: {
    confirmSubject: 'Please confirm your subscription to {{shop}}',
    hello: 'Hello,',
    helloName: 'Hello {{name}},',
    confirmIntro: 'You asked to receive e-mails from {{shop}}. To confirm, open the link below and press “Confirm”.',
    confirmButton: 'Confirm my subscription',
    confirmExpires: 'This link is valid until {{date}}.',
    confirmIgnore: 'If you did not ask for this, ignore this e-mail: you will not be subscribed.',
    replySubject: 'Re: your message to {{shop}}',
    sentBy: 'Sent by {{shop}}.',
    autoreplySubject: 'We received your message – {{shop}}',
    autoreplyText: 'Thank you for contacting {{shop}}. We have received your message and will answer as soon as we can.',
  },
  fr: {
    confirmSubject: 'Merci de confirmer votre inscription à {{shop}}',
    hello: 'Bonjour,',
    helloName: 'Bonjour {{name}},',
    confirmIntro: 'Vous avez demandé à recevoir les e-mails de {{shop}}. Pour confirmer, ouvrez le lien ci-dessous et appuyez sur « Confirmer ».',
    confirmButton: 'Confirmer mon inscription',
    confirmExpires: 'Ce lien est valable jusqu’au {{date}}.',
    confirmIgnore: 'Si vous n’avez rien demandé, ignorez cet e-mail : vous ne serez pas inscrit.',
    replySubject: 'Re : votre message à {{shop}}',
    sentBy: 'Envoyé par {{shop}}.',
    autoreplySubject: 'Nous avons bien reçu votre message – {{shop}}',
    autoreplyText: 'Merci d’avoir contacté {{shop}}. Nous avons bien reçu votre message et vous répondrons dès que possible.',
  },
  de: {
    confirmSubject: 'Bitte bestätigen Sie Ihre Anmeldung bei {{shop}}',
    hello: 'Hallo,',
    helloName: 'Hallo {{name}},',
    confirmIntro: 'Sie möchten E-Mails von {{shop}} erhalten. Öffnen Sie zur Bestätigung den folgenden Link und klicken Sie auf „Bestätigen“.',
    confirmButton: 'Anmeldung bestätigen',
    confirmExpires: 'Dieser Link ist gültig bis {{date}}.',
    confirmIgnore: 'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Sie werden nicht angemeldet.',
    replySubject: 'Re: Ihre Nachricht an {{shop}}',
    sentBy: 'Gesendet von {{shop}}.',
    autoreplySubject: 'Wir haben Ihre Nachricht erhalten – {{shop}}',
    autoreplyText: 'Vielen Dank für Ihre Nachricht an {{shop}}. Wir haben sie erhalten und antworten Ihnen so bald wie möglich.',
  },
  es: {
    confirmSubject: 'Confirma tu suscripción a {{shop}}',
    hello: 'Hola:',
    helloName: 'Hola, {{name}}:',
    confirmIntro: 'Has pedido recibir correos de {{shop}}. Para confirmarlo, abre el enlace de abajo y pulsa «Confirmar».',
    confirmButton: 'Confirmar mi suscripción',
    confirmExpires: 'Este enlace es válido hasta el {{date}}.',
    confirmIgnore: 'Si no lo has pedido, ignora este correo: no se te suscribirá.',
    replySubject: 'Re: tu mensaje a {{shop}}',
    sentBy: 'Enviado por {{shop}}.',
    autoreplySubject: 'Hemos recibido tu mensaje – {{shop}}',
    autoreplyText: 'Gracias por escribir a {{shop}}. Hemos recibido tu mensaje y te responderemos lo antes posible.',
  },
  it: {
    confirmSubject: 'Conferma la tua iscrizione a {{shop}}',
    hello: 'Ciao,',
    helloName: 'Ciao {{name}},',
    confirmIntro: 'Hai chiesto di ricevere e-mail da {{shop}}. Per confermare, apri il link qui sotto e premi «Conferma».',
    confirmButton: 'Conferma la mia iscrizione',
    confirmExpires: 'Questo link è valido fino al {{date}}.',
    confirmIgnore: 'Se non l’hai chiesto tu, ignora questa e-mail: non verrai iscritto.',
    replySubject: 'Re: il tuo messaggio a {{shop}}',
    sentBy: 'Inviato da {{shop}}.',
    autoreplySubject: 'Abbiamo ricevuto il tuo messaggio – {{shop}}',
    autoreplyText: 'Grazie per aver contattato {{shop}}. Abbiamo ricevuto il tuo messaggio e ti risponderemo il prima possibile.',
  },
  nl: {
    confirmSubject: 'Bevestig je inschrijving bij {{shop}}',
    hello: 'Hallo,',
    helloName: 'Hallo {{name}},',
    confirmIntro: 'Je hebt gevraagd e-mails van {{shop}} te ontvangen. Open de link hieronder en druk op ‘Bevestigen’ om dit te bevestigen.',
    confirmButton: 'Mijn inschrijving bevestigen',
    confirmExpires: 'Deze link is geldig tot {{date}}.',
    confirmIgnore: 'Heb je hier niet om gevraagd? Negeer deze e-mail dan: je wordt niet ingeschreven.',
    replySubject: 'Re: je bericht aan {{shop}}',
    sentBy: 'Verzonden door {{shop}}.',
    autoreplySubject: 'We hebben je bericht ontvangen – {{shop}}',
    autoreplyText: 'Bedankt voor je bericht aan {{shop}}. We hebben het ontvangen en antwoorden zo snel mogelijk.',
  },
  'pt-BR': {
    confirmSubject: 'Confirme sua inscrição em {{shop}}',
    hello: 'Olá,',
    helloName: 'Olá, {{name}},',
    confirmIntro: 'Você pediu para receber e-mails de {{shop}}. Para confirmar, abra o link abaixo e toque em “Confirmar”.',
    confirmButton: 'Confirmar minha inscrição',
    confirmExpires: 'Este link é válido até {{date}}.',
    confirmIgnore: 'Se você não pediu isso, ignore este e-mail: você não será inscrito.',
    replySubject: 'Re: sua mensagem para {{shop}}',
    sentBy: 'Enviado por {{shop}}.',
    autoreplySubject: 'Recebemos sua mensagem – {{shop}}',
    autoreplyText: 'Obrigado por entrar em contato com {{shop}}. Recebemos sua mensagem e responderemos o mais breve possível.',
  },
  ja: {
    confirmSubject: '{{shop}} の購読を確認してください',
    hello: 'こんにちは。',
    helloName: '{{name}} 様',
    confirmIntro: '{{shop}} からのメール受信をお申し込みいただきました。下のリンクを開き、「確認」を押してください。',
    confirmButton: '購読を確認する',
    confirmExpires: 'このリンクの有効期限は {{date}} です。',
    confirmIgnore: 'お心当たりがない場合は、このメールを無視してください。購読は登録されません。',
    replySubject: 'Re: {{shop}} へのお問い合わせ',
    sentBy: '{{shop}} より送信',
    autoreplySubject: '{{shop}} へのお問い合わせを受け付けました',
    autoreplyText: '{{shop}} へお問い合わせいただきありがとうございます。メッセージを受け付けました。できるだけ早くご返信いたします。',
  },
};

/** The shopper's locale as stored on the lead (`de-AT`, `pt-br`), mapped to one the mail speaks; English otherwise. */
export function mailLocale(requested: string | null | undefined): MailLocale {
  const wanted = (requested ?? '').toLowerCase();
  const exact = MAIL_LOCALES.find((l) => l.toLowerCase() === wanted);
  if (exact) return exact;
  if (wanted.startsWith('pt')) return 'pt-BR';
  const base = wanted.split('-')[0];
  return MAIL_LOCALES.find((l) => l === base) ?? 'en';
}
