package bot

import "github.com/gigabot/gigabot/locale"

// The message catalogs. French templates are written with plain spaces
// before ":", "!", "?" and "%"; locale.Typography turns them into the right
// no-break spaces once, when the package loads.

var french = typeset(map[string]string{
	"points": "%s pts",

	"help.header":      "*Gigabot : les commandes*",
	"help.agent":       "• `defi` : le défi du jour\n• `programme` : les défis de la campagne\n• `classement [points|volume|taux|participation|agent]` : le classement\n• `equipe [id]` : les chiffres d’une équipe\n• `moi` : vos défis relevés\n• `aide` : cette aide",
	"help.coordinator": "• `annonce <texte>` : publier une annonce dans tous les canaux d’équipe\n• `correction <équipe> <points> <motif>` : corriger un score (tracé dans le bilan)\n• `export` : le tableau de la campagne (équipes × jours) en CSV",
	"help.dgs":         "• `mobilisation <texte>` : envoyer l’appel à la mobilisation à toutes les équipes",
	"help.react":       "Quand vous avez relevé le défi du jour, réagissez avec :%s: sur son message.",

	"defi.card":   "🗂️ *Défi du jour %d/%d : %s*\n%s\n💡 *Astuce :* %s\n🌱 *Ce que ça économise :* %s\nRéagissez avec :%s: quand c’est fait !",
	"defi.before": "La campagne « %s » commence le %s. Premier défi : « %s ».",
	"defi.after":  "La campagne « %s » est terminée : merci à toutes et à tous ! Tapez `classement` pour le résultat final.",
	"defi.notyet": "Le défi du jour %d sera publié à %s. Le précédent : « %s ».",
	"defi.rest":   "Pas de défi aujourd’hui : la campagne reprend le %s.",

	"programme.header": "*Programme de « %s »* (%d défis)",
	"programme.line":   "%s %d. %s : %s",

	"ranking.header.points":        "🏆 *Classement aux points*",
	"ranking.header.volume":        "💾 *Classement au volume libéré*",
	"ranking.header.percent":       "📉 *Classement au taux de réduction* (part du volume initial de l’équipe)",
	"ranking.header.participation": "🙋 *Classement à la participation* (défis relevés par agent)",
	"ranking.header.per_agent":     "⚖️ *Classement aux points par agent* (les petites équipes à armes égales)",
	"ranking.line":                 "%s %d. %s : %s",
	"ranking.total":                "Total libéré : %s (%s).",
	"ranking.unknown":              "Je ne connais pas le classement « %s ». Essayez : points, volume, taux, participation ou agent.",

	"team.card":    "*%s* (%d agents)\n• Points : %s (%s sur %d)\n• Volume libéré : %s (%s de son volume initial de %s)\n• Participation : %s (%d défis relevés)\n• Points par agent : %s (%s)",
	"team.advice":  "💡 Il vous reste %s de doublons, %s de fichiers anciens et %s de gros fichiers à examiner (dernier scan du %s).",
	"team.unknown": "Je ne trouve pas l’équipe « %s ». Les équipes : %s.",
	"team.none":    "Vous n’êtes dans aucune équipe de la campagne. Précisez une équipe : `equipe <id>`.",

	"me.card":    "*%s*, équipe %s : %d défi(s) relevé(s) sur %d publiés%s.",
	"me.days":    " (jours %s)",
	"me.outside": "Vous ne faites partie d’aucune équipe de la campagne : vos réactions ne comptent pas. Parlez-en à votre référent.",

	"unknown":    "Je n’ai pas compris « %s ». Vouliez-vous dire `%s` ? Tapez `aide` pour la liste des commandes.",
	"unknown.no": "Je n’ai pas compris « %s ». Tapez `aide` pour la liste des commandes.",
	"refused":    "Désolé, la commande `%s` est réservée %s.",
	"role.dgs":   "à la direction générale",
	"role.coord": "aux référents et à la direction générale",
	"ratelimit":  "Doucement ! Vous avez envoyé beaucoup de commandes : réessayez dans %s secondes.",
	"usage":      "Utilisation : `%s`",
	"failed":     "Désolé, quelque chose n’a pas fonctionné de mon côté. L’équipe technique a été prévenue.",

	"mobilisation.post":   "📣 *Appel à la mobilisation*\n%s\n— %s",
	"announce.post":       "📢 *Annonce*\n%s\n— %s",
	"broadcast.done":      "C’est envoyé dans %d canaux d’équipe.",
	"broadcast.partial":   "Envoyé dans %d canaux sur %d ; échec pour : %s. Je réessaierai à la prochaine commande identique.",
	"correction.bad":      "« %s » n’est pas un nombre de points (exemple : `correction routes -20 doublon de scan`).",
	"correction.zero":     "Une correction de 0 point ne change rien : rien n’a été enregistré.",
	"correction.reason":   "Précisez le motif de la correction : il apparaîtra dans le bilan du jour.",
	"correction.done":     "Correction enregistrée : %s pour %s (%s). Elle figurera dans le bilan du jour %d.",
	"correction.line":     "✏️ %s : %s (%s, par %s)",
	"correction.header":   "*Corrections du jour :*",
	"correction.toolarge": "Une correction est limitée à ±%s points.",

	"recap.header":   "📊 *Bilan du jour %d/%d*",
	"recap.freed":    "Aujourd’hui, les équipes ont libéré %s ; depuis le début : %s.",
	"recap.team":     "Votre équipe : %s sur %d, %s libérés aujourd’hui, %d défi(s) relevé(s) aujourd’hui.",
	"recap.tomorrow": "Demain : « %s ». À demain !",
	"recap.next":     "Prochain défi le %s : « %s ». Bon repos !",
	"recap.last":     "C’était le dernier défi : le podium final arrive !",

	"podium.header":   "🏆 *%s : c’est fini !*",
	"podium.total":    "Ensemble, les %d équipes ont libéré %s, soit environ %s.",
	"podium.prizes":   "🙋 Prix de la participation : %s (%s). 📉 Prix de l’effort relatif : %s (%s). ⚖️ Prix des points par agent : %s (%s).",
	"podium.thanks":   "Merci à toutes et à tous : ces bonnes habitudes, gardons-les !",
	"milestone.post":  "🎉 *Palier franchi : %s libérés !*\nC’est l’équivalent d’environ %s.",
	"equivalences":    "%s pages PDF, %s armoires d’archives et %s t CO2e par an de stockage évités",
	"equivalences.of": "_(Hypothèses : 1 To ≈ 6,5 millions de pages PDF d’environ 150 Ko et 1 300 armoires de 5 000 pages, chiffres de la campagne du Calvados ; CO2e : environ 0,2 t par To stocké pendant un an, Umweltbundesamt, « Green Cloud Computing », 2021.)_",
	"medal.other":     "▫️",

	"board.day":                 "Jour %d sur %d",
	"board.before":              "Début le %s",
	"board.over":                "Campagne terminée",
	"board.goal":                "%s de l’objectif de %s",
	"board.title.points":        "Classement aux points",
	"board.title.volume":        "Volume libéré",
	"board.title.percent":       "Taux de réduction",
	"board.title.participation": "Participation aux défis",
	"board.pages":               "%s pages PDF",
	"board.cabinets":            "%s armoires d’archives",
	"board.co2e":                "%s t CO2e par an de stockage évitées",
	"board.source.calvados":     "Conseil départemental du Calvados, Giga Déstockage 2022",
	"board.source.uba":          "Umweltbundesamt, « Green Cloud Computing », 2021",
	"board.source.config":       "valeur fixée dans la configuration de la campagne",
	"board.curve":               "Volume libéré cumulé",
	"board.members":             "%d agents",

	"bilan.period":              "du %s au %s",
	"bilan.prize.participation": "Prix de la participation : %s (%s)",
	"bilan.prize.percent":       "Prix de l’effort relatif : %s (%s)",
	"bilan.prize.per_agent":     "Prix des points par agent : %s (%s)",
	"bilan.best":                "Jour %d · %s",

	"export.done":       "Voici l’export de la campagne : %d équipes × %d jours (volume libéré, taux, participation, points). Tableur : séparateur « ; », virgule décimale.",
	"export.file":       "%s-jour-%d.csv",
	"export.none":       "La campagne n’a pas encore commencé : il n’y a rien à exporter.",
	"chart.recap.title": "Bilan du jour %d/%d",
	"chart.recap.file":  "bilan-jour-%d.png",
	"chart.podium.file": "podium.png",
	"chart.goal":        "Objectif : %s",
	"chart.alt":         "Graphique : %s ; %s.",
	"chart.leader":      "en tête, %s avec %s",
	"chart.total":       "%s libérés au total",
})

var english = map[string]string{
	"points": "%s pts",

	"help.header":      "*Gigabot commands*",
	"help.agent":       "• `challenge`: today's challenge\n• `schedule`: the campaign's challenges\n• `ranking [points|volume|rate|participation|agent]`: the standings\n• `team [id]`: a team's figures\n• `me`: the challenges you completed\n• `help`: this help",
	"help.coordinator": "• `announce <text>`: post an announcement in every team channel\n• `correction <team> <points> <reason>`: correct a score (shown in the recap)\n• `export`: the campaign's table (teams × days) as CSV",
	"help.dgs":         "• `rally <text>`: send the call to action to every team",
	"help.react":       "When you have completed today's challenge, react with :%s: on its message.",

	"defi.card":   "🗂️ *Challenge of the day %d/%d: %s*\n%s\n💡 *Tip:* %s\n🌱 *What it saves:* %s\nReact with :%s: when done!",
	"defi.before": "The campaign \"%s\" starts on %s. First challenge: \"%s\".",
	"defi.after":  "The campaign \"%s\" is over: thank you all! Type `ranking` for the final standings.",
	"defi.notyet": "Challenge %d will be posted at %s. The previous one: \"%s\".",
	"defi.rest":   "No challenge today: the campaign resumes on %s.",

	"programme.header": "*Schedule of \"%s\"* (%d challenges)",
	"programme.line":   "%s %d. %s: %s",

	"ranking.header.points":        "🏆 *Ranking by points*",
	"ranking.header.volume":        "💾 *Ranking by volume freed*",
	"ranking.header.percent":       "📉 *Ranking by reduction rate* (share of the team's own baseline)",
	"ranking.header.participation": "🙋 *Ranking by participation* (challenges completed per agent)",
	"ranking.header.per_agent":     "⚖️ *Ranking by points per agent* (small teams on equal terms)",
	"ranking.line":                 "%s %d. %s: %s",
	"ranking.total":                "Total freed: %s (%s).",
	"ranking.unknown":              "I don't know the ranking \"%s\". Try: points, volume, rate, participation or agent.",

	"team.card":    "*%s* (%d agents)\n• Points: %s (%s of %d)\n• Volume freed: %s (%s of its baseline of %s)\n• Participation: %s (%d challenges completed)\n• Points per agent: %s (%s)",
	"team.advice":  "💡 Still to review: %s of duplicates, %s of old files and %s of large files (last scan %s).",
	"team.unknown": "I can't find the team \"%s\". Teams: %s.",
	"team.none":    "You are not in any team of the campaign. Name a team: `team <id>`.",

	"me.card":    "*%s*, team %s: %d challenge(s) completed out of %d posted%s.",
	"me.days":    " (days %s)",
	"me.outside": "You are not in any team of the campaign: your reactions do not count. Ask your coordinator.",

	"unknown":    "I did not understand \"%s\". Did you mean `%s`? Type `help` for the list of commands.",
	"unknown.no": "I did not understand \"%s\". Type `help` for the list of commands.",
	"refused":    "Sorry, the command `%s` is reserved %s.",
	"role.dgs":   "to the general management",
	"role.coord": "to coordinators and the general management",
	"ratelimit":  "Easy! You sent many commands: try again in %s seconds.",
	"usage":      "Usage: `%s`",
	"failed":     "Sorry, something went wrong on my side. The technical team has been told.",

	"mobilisation.post":   "📣 *Call to action*\n%s\n— %s",
	"announce.post":       "📢 *Announcement*\n%s\n— %s",
	"broadcast.done":      "Sent to %d team channels.",
	"broadcast.partial":   "Sent to %d channels out of %d; failed for: %s. Send the same command again to retry.",
	"correction.bad":      "\"%s\" is not a number of points (example: `correction roads -20 duplicate scan`).",
	"correction.zero":     "A correction of 0 points changes nothing: nothing was recorded.",
	"correction.reason":   "Give the reason for the correction: it will appear in today's recap.",
	"correction.done":     "Correction recorded: %s for %s (%s). It will appear in the recap of day %d.",
	"correction.line":     "✏️ %s: %s (%s, by %s)",
	"correction.header":   "*Today's corrections:*",
	"correction.toolarge": "A correction is limited to ±%s points.",

	"recap.header":   "📊 *Recap of day %d/%d*",
	"recap.freed":    "Today the teams freed %s; since the start: %s.",
	"recap.team":     "Your team: %s of %d, %s freed today, %d challenge(s) completed today.",
	"recap.tomorrow": "Tomorrow: \"%s\". See you tomorrow!",
	"recap.next":     "Next challenge on %s: \"%s\". Have a good rest!",
	"recap.last":     "That was the last challenge: the final podium is coming!",

	"podium.header":   "🏆 *%s: it's over!*",
	"podium.total":    "Together, the %d teams freed %s, about %s.",
	"podium.prizes":   "🙋 Participation prize: %s (%s). 📉 Relative effort prize: %s (%s). ⚖️ Points per agent prize: %s (%s).",
	"podium.thanks":   "Thank you all: let's keep these good habits!",
	"milestone.post":  "🎉 *Milestone reached: %s freed!*\nThat is about %s.",
	"equivalences":    "%s PDF pages, %s archive cabinets and %s t CO2e a year of storage avoided",
	"equivalences.of": "_(Assumptions: 1 TB ≈ 6.5 million PDF pages of about 150 kB and 1,300 cabinets of 5,000 pages, figures of the Calvados campaign; CO2e: about 0.2 t per TB stored for a year, German Environment Agency, \"Green Cloud Computing\", 2021.)_",
	"medal.other":     "▫️",

	"board.day":                 "Day %d of %d",
	"board.before":              "Starts on %s",
	"board.over":                "Campaign over",
	"board.goal":                "%s of the %s goal",
	"board.title.points":        "Ranking by points",
	"board.title.volume":        "Volume freed",
	"board.title.percent":       "Reduction rate",
	"board.title.participation": "Participation",
	"board.pages":               "%s PDF pages",
	"board.cabinets":            "%s archive cabinets",
	"board.co2e":                "%s t CO2e a year of storage avoided",
	"board.source.calvados":     "Conseil départemental du Calvados, Giga Déstockage 2022",
	"board.source.uba":          "German Environment Agency, \"Green Cloud Computing\", 2021",
	"board.source.config":       "rate set in the campaign's configuration",
	"board.curve":               "Cumulative volume freed",
	"board.members":             "%d agents",

	"bilan.period":              "from %s to %s",
	"bilan.prize.participation": "Participation prize: %s (%s)",
	"bilan.prize.percent":       "Relative effort prize: %s (%s)",
	"bilan.prize.per_agent":     "Points per agent prize: %s (%s)",
	"bilan.best":                "Day %d · %s",

	"export.done":       "Here is the campaign's export: %d teams × %d days (volume freed, rate, participation, points).",
	"export.file":       "%s-day-%d.csv",
	"export.none":       "The campaign has not started yet: nothing to export.",
	"chart.recap.title": "Recap of day %d/%d",
	"chart.recap.file":  "recap-day-%d.png",
	"chart.podium.file": "podium.png",
	"chart.goal":        "Goal: %s",
	"chart.alt":         "Chart: %s; %s.",
	"chart.leader":      "leading, %s with %s",
	"chart.total":       "%s freed in total",
}

func typeset(m map[string]string) map[string]string {
	for k, v := range m {
		m[k] = locale.Typography(v)
	}
	return m
}
