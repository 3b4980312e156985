#Requires -RunAsAdministrator
<#
.SYNOPSIS
Registers gigascan's daily task on a Windows file server, under a service account.

.DESCRIPTION
Run it once, as an administrator of the file server, in Windows PowerShell 5.1
or PowerShell 7. It:
  1. copies gigascan.exe to C:\Program Files\gigascan (if -Exe is given);
  2. grants the account the "Back up files and directories" right
     (SeBackupPrivilege), so that gigascan --backup reads the folders its ACLs
     would refuse, and "Log on as a batch job" (SeBatchLogonRight), which a
     scheduled task needs; nothing else (not Backup Operators, which could
     also restore, that is, overwrite, any file);
  3. writes the bot's scanner secret to C:\ProgramData\gigascan\scanner.secret,
     readable by the account, SYSTEM and Administrators only;
  4. gives the account C:\ProgramData\gigascan\cache for the hash cache;
  5. registers gigascan-task.xml (beside this script) as \Gigabot\gigascan:
     one action per team, Monday to Friday at the time of the XML (16:30).

The account is a group managed service account (DOMAIN\name$: Windows knows
its password, none is asked) or a plain domain account (its password is
asked, and stored by Task Scheduler).

.EXAMPLE
.\register-gigascan.ps1 -Account 'CD14\svc-gigascan$' -BotUrl https://gigabot.intra `
    -Shares @{ routes = 'D:\Partages\Routes'; colleges = 'D:\Partages\Colleges', 'E:\Archives\Colleges' } `
    -Exe .\gigascan.exe
#>
param(
    [Parameter(Mandatory)] [string] $Account,
    [Parameter(Mandatory)] [string] $BotUrl,
    # Team id (as in the campaign config) => one folder or several.
    [Parameter(Mandatory)] [hashtable] $Shares,
    [string] $Exe,
    [string] $MaxReadRate = '50Mo/s',
    [string] $TaskXml = (Join-Path $PSScriptRoot 'gigascan-task.xml')
)
$ErrorActionPreference = 'Stop'

$installDir = Join-Path $env:ProgramFiles 'gigascan'
$dataDir = Join-Path $env:ProgramData 'gigascan'
$secretFile = Join-Path $dataDir 'scanner.secret'
$cacheDir = Join-Path $dataDir 'cache'
$gigascan = Join-Path $installDir 'gigascan.exe'

$sid = (New-Object System.Security.Principal.NTAccount($Account)).Translate(
    [System.Security.Principal.SecurityIdentifier]).Value

# 1. The program.
New-Item -ItemType Directory -Force -Path $installDir, $dataDir, $cacheDir | Out-Null
if ($Exe) { Copy-Item -Force $Exe $gigascan }
if (-not (Test-Path $gigascan)) { throw "$gigascan is missing: give -Exe path\to\gigascan.exe" }

# 2. The user rights, through the local security policy (secedit), added to
#    whoever holds them already.
function Grant-UserRight([string] $Right) {
    $work = Join-Path $env:TEMP ('gigascan-secedit-' + [guid]::NewGuid())
    New-Item -ItemType Directory -Path $work | Out-Null
    try {
        secedit /export /cfg "$work\current.inf" /areas USER_RIGHTS /quiet | Out-Null
        $line = Get-Content "$work\current.inf" | Where-Object { $_ -match "^$Right\s*=" }
        $holders = if ($line) { ($line -split '=', 2)[1].Trim() -split ',' } else { @() }
        if ($holders -contains "*$sid") { return }
        $holders = @($holders | Where-Object { $_ }) + "*$sid"
        @('[Unicode]', 'Unicode=yes', '[Version]', 'signature="$CHICAGO$"', 'Revision=1',
          '[Privilege Rights]', "$Right = $($holders -join ',')") |
            Set-Content -Encoding Unicode "$work\grant.inf"
        secedit /configure /db "$work\grant.sdb" /cfg "$work\grant.inf" /areas USER_RIGHTS /quiet | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "secedit could not grant $Right to $Account" }
    } finally {
        Remove-Item -Recurse -Force $work
    }
}
Grant-UserRight 'SeBackupPrivilege'
Grant-UserRight 'SeBatchLogonRight'

# 3. The secret: the bot's GIGABOT_SCANNER_SECRET, typed, never echoed. The
#    file's ACL: no inherited entry; Administrators and SYSTEM full control,
#    the account read. (icacls takes SIDs as *S-1-…, whatever the language.)
$secure = Read-Host -AsSecureString "GIGABOT_SCANNER_SECRET (16 characters at least)"
$plain = [System.Net.NetworkCredential]::new('', $secure).Password
if ($plain.Length -lt 16) { throw 'the secret is shorter than 16 characters' }
New-Item -ItemType File -Force -Path $secretFile | Out-Null
icacls $secretFile /inheritance:r /grant:r '*S-1-5-32-544:(F)' '*S-1-5-18:(F)' "*${sid}:(R)" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls could not protect $secretFile" }
[System.IO.File]::WriteAllText($secretFile, $plain)
$plain = $null

# 4. The hash cache: the account writes there, nobody else but administrators.
icacls $cacheDir /inheritance:r /grant:r '*S-1-5-32-544:(OI)(CI)(F)' '*S-1-5-18:(OI)(CI)(F)' "*${sid}:(OI)(CI)(M)" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls could not set the rights of $cacheDir" }

# 5. The task: the XML's principal and its example action, one per team.
[xml] $task = Get-Content -Raw -Encoding UTF8 $TaskXml
$ns = New-Object System.Xml.XmlNamespaceManager($task.NameTable)
$ns.AddNamespace('t', $task.DocumentElement.NamespaceURI)
$task.SelectSingleNode('//t:Principal/t:UserId', $ns).InnerText = $Account
$actions = $task.SelectSingleNode('//t:Actions', $ns)
$example = $task.SelectSingleNode('//t:Actions/t:Exec', $ns)
foreach ($team in ($Shares.Keys | Sort-Object)) {
    if ($team -notmatch '^[a-z0-9][a-z0-9_-]*$') { throw "team id '$team' is not a campaign team id" }
    $folders = @($Shares[$team] | ForEach-Object { '"' + $_.TrimEnd('\') + '"' })
    $exec = $example.CloneNode($true)
    $exec.SelectSingleNode('t:Command', $ns).InnerText = $gigascan
    $exec.SelectSingleNode('t:Arguments', $ns).InnerText = (@(
        'send', '--to', $BotUrl, '--secret-file', "`"$secretFile`"", '--cache', "`"$cacheDir`"",
        '--nice', '--backup', '--max-read-rate', $MaxReadRate, '--team', $team) + $folders) -join ' '
    $exec.SelectSingleNode('t:WorkingDirectory', $ns).InnerText = $dataDir
    $actions.AppendChild($exec) | Out-Null
}
$actions.RemoveChild($example) | Out-Null

$register = @{ TaskName = 'gigascan'; TaskPath = '\Gigabot\'; Xml = $task.OuterXml; Force = $true }
if (-not $Account.EndsWith('$')) {
    $credential = Get-Credential -UserName $Account -Message "Password of $Account, stored by Task Scheduler"
    $register.User = $Account
    $register.Password = $credential.GetNetworkCredential().Password
}
Register-ScheduledTask @register | Out-Null
Write-Host "Registered \Gigabot\gigascan for $Account; run it now with: Start-ScheduledTask -TaskPath '\Gigabot\' -TaskName gigascan"
Write-Host "Its result: Get-ScheduledTaskInfo -TaskPath '\Gigabot\' -TaskName gigascan (LastTaskResult 0 = every root sent)"
