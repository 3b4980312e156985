<#
.SYNOPSIS
Exports the size of every mailbox of an on-premises Exchange for gigascan mailbox.

.DESCRIPTION
Run it in the Exchange Management Shell (or a remote session to an Exchange
server), Windows PowerShell 5.1 or PowerShell 7. Get-MailboxStatistics has
no PrimarySmtpAddress: the addresses come from Get-Mailbox, joined on the
mailbox's GUID (ExchangeGuid there, MailboxGuid in the statistics). The
mailboxes are listed once, into a variable: piping Get-Mailbox into a
ForEach-Object that runs another Exchange command fails in a remote session
("a pipeline is already running").

The CSV is UTF-8, so that accented names survive (5.1's Export-Csv writes
ASCII by default, every "é" a "?"); gigascan reads it as it is, with or
without the "#TYPE" line, English ("1.234 GB (1,324,567,890 bytes)") or
French ("1,234 Go (1 324 567 890 octets)") sizes.

.EXAMPLE
.\export-mailboxes.ps1 -Path C:\ProgramData\gigascan\mailboxes.csv
gigascan mailbox --csv C:\ProgramData\gigascan\mailboxes.csv --map users.csv --to https://gigabot.intra --secret-file C:\ProgramData\gigascan\scanner.secret
#>
param([string] $Path = 'mailboxes.csv')
$ErrorActionPreference = 'Stop'

$mailboxes = @(Get-Mailbox -ResultSize Unlimited)
$address = @{}
foreach ($m in $mailboxes) { $address[$m.ExchangeGuid.ToString()] = $m.PrimarySmtpAddress.ToString() }

$mailboxes | Get-MailboxStatistics |
    Select-Object DisplayName,
        @{ Name = 'PrimarySmtpAddress'; Expression = { $address[$_.MailboxGuid.ToString()] } },
        @{ Name = 'TotalItemSize'; Expression = { $_.TotalItemSize.ToString() } },
        @{ Name = 'TotalDeletedItemSize'; Expression = { $_.TotalDeletedItemSize.ToString() } },
        ItemCount, DeletedItemCount |
    Export-Csv -Path $Path -NoTypeInformation -Encoding UTF8
Write-Host "$($mailboxes.Count) mailboxes written to $Path"
