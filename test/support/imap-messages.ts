/** Messages for IMAP tests, CRLF line ends. */
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

export const simpleMessage = (subject: string, body = 'Hello there.\n', extra = '') =>
  Buffer.from(
    crlf(`From: Sender <sender@example.test>
To: User <u@example.test>
Subject: ${subject}
Date: Tue, 01 Oct 2024 10:00:00 +0000
Message-ID: <${subject.replace(/\W/g, '')}@example.test>
${extra}
${body}`).replace(/\r\n\r\n\r\n/, '\r\n\r\n'),
  );

/**
 * multipart/mixed [ multipart/alternative [text/plain QP, text/html], application/pdf base64 attachment,
 * message/rfc822 [ multipart/mixed [ text/plain, image/png ] ] ], with a preamble and an epilogue.
 */
export const nestedMessage = Buffer.from(
  crlf(`Return-Path: <jorg@example.test>
From: =?utf-8?Q?J=C3=B6rg?= <jorg@example.test>
To: Alice <alice@example.test>, "Doe, John" <john@example.test>
Cc: undisclosed-recipients:;
Reply-To: replies@example.test
Subject: =?utf-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=
 and more
Date: Tue, 01 Oct 2024 10:00:00 +0200
Message-ID: <nested-1@example.test>
In-Reply-To: <parent@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is the preamble.
--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello plain =C3=A4
second line
--alt
Content-Type: text/html; charset=utf-8

<p>Hello html</p>
--alt--
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64
Content-ID: <att1@example.test>
Content-Language: en, de

JVBERi0xLjQKJcOkw7zDtsOfCg==
--outer
Content-Type: message/rfc822
Content-Description: forwarded message

From: Bob <bob@example.test>
To: Carol <carol@example.test>
Subject: inner message
Date: Mon, 30 Sep 2024 08:00:00 +0000
Message-ID: <inner-1@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain

inner text
--inner
Content-Type: image/png; name=x.png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--inner--
--outer--
epilogue
`),
);
