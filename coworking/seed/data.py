"""Word lists for the demo community: fictional people, places, titles, posts and prices.

Everything here is invented, except public bodies and regional outlets that a space
in Angers naturally deals with; no real person is named.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Clara", "Pauline",
    "Marie", "Anaïs", "Lucie", "Mathilde", "Élise", "Justine", "Margaux", "Noémie", "Océane",
    "Charlotte", "Audrey", "Claire", "Hélène", "Sophie", "Nathalie", "Isabelle", "Aurélie",
    "Céline", "Émilie", "Laure", "Agathe", "Gaëlle", "Solène", "Maëlle", "Nolwenn", "Zoé",
    "Louise", "Jeanne", "Alice", "Juliette", "Thomas", "Nicolas", "Julien", "Maxime", "Antoine",
    "Alexandre", "Romain", "Kevin", "Guillaume", "Benjamin", "Mathieu", "Pierre", "Florian",
    "Quentin", "Hugo", "Lucas", "Théo", "Louis", "Paul", "Arthur", "Baptiste", "Clément",
    "Sébastien", "Jérôme", "Olivier", "Christophe", "François", "Yann", "Erwan", "Gaël",
    "Loïc", "Ronan", "Tristan", "Bastien", "Adrien", "Damien", "Vincent", "Fabien", "Cédric",
    "Arnaud", "Samuel", "Rémi", "Victor", "Gabriel", "Jules", "Raphaël", "Nathan", "Mehdi",
    "Karim", "Yasmine", "Amina", "Sofiane", "Nadia", "Malik", "Aïcha", "Kenza", "Ibrahim",
    "Mamadou", "Fatou", "Linh", "Minh", "Wei", "Ana", "João", "Elena", "Jonas", "Anja",
)  # fmt: skip

LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour",
    "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
    "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq",
    "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis",
    "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin", "Gonzalez",
    "Berger", "Lecomte", "Menard", "Fleury", "Deschamps", "Carpentier", "Julien", "Benoit",
    "Paris", "Maillard", "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault", "Jacquet",
    "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet", "Baron", "Dupuy", "Pons",
    "Paul", "Laine", "Carré", "Breton", "Rémy", "Schneider", "Perrot", "Guyot", "Barre",
    "Marty", "Cousin", "Le Goff", "Hamon", "Tessier", "Chauvin", "Gallard", "Bodin", "Cottin",
    "Pineau", "Bouvet", "Chupin", "Raimbault", "Gasnier", "Pasquier", "Cailleau", "Chauveau",
    "Benali", "Diallo", "Traoré", "Haddad", "Tran", "Pham", "Ferreira", "Costa", "Kowalski",
)  # fmt: skip

# (weight, postcode, city): most members live in Angers and its metropolis.
CITIES = (
    (30, "49000", "Angers"),
    (22, "49100", "Angers"),
    (5, "49240", "Avrillé"),
    (5, "49800", "Trélazé"),
    (4, "49130", "Les Ponts-de-Cé"),
    (4, "49124", "Saint-Barthélemy-d'Anjou"),
    (3, "49070", "Beaucouzé"),
    (3, "49080", "Bouchemaine"),
    (2, "49000", "Écouflant"),
    (2, "49610", "Mûrs-Érigné"),
    (2, "49480", "Verrières-en-Anjou"),
    (2, "49460", "Montreuil-Juigné"),
    (2, "49300", "Cholet"),
    (2, "49400", "Saumur"),
    (1, "49500", "Segré-en-Anjou Bleu"),
    (1, "49700", "Doué-en-Anjou"),
    (1, "49250", "Beaufort-en-Anjou"),
    (2, "44000", "Nantes"),
    (1, "72000", "Le Mans"),
    (1, "75011", "Paris"),
)

# The space's public, weights per PROFESSION_CATEGORIES slug.
PROFESSION_WEIGHTS = {
    "communicant": 14,
    "chef_entreprise": 11,
    "independant": 12,
    "photographe": 7,
    "web": 20,
    "etudiant": 13,
    "salarie": 9,
    "demandeur_emploi": 5,
    "association": 6,
    "collectivite": 2,
    "autre": 1,
}

PROFESSION_TEXTS = {
    "communicant": ("Chargée de communication", "Community manager", "Attaché de presse",
                    "Consultante en communication", "Rédacteur web"),
    "chef_entreprise": ("Fondatrice de start-up", "Gérant d'agence", "Dirigeant de TPE",
                        "Co-fondateur"),
    "independant": ("Consultant indépendant", "Traductrice freelance", "Formateur indépendant",
                    "Coach"),
    "photographe": ("Photographe", "Vidéaste", "Photographe de mariage", "Réalisatrice"),
    "web": ("Développeur web", "Web designer", "Développeuse front-end", "Intégrateur",
            "UX designer", "Développeur Python", "Graphiste"),
    "etudiant": ("Étudiante en informatique", "Étudiant en école de commerce", "Alternant",
                 "Étudiante en design"),
    "salarie": ("Chef de projet", "Ingénieure", "Commercial", "Juriste"),
    "demandeur_emploi": ("En recherche d'emploi", "En reconversion"),
    "association": ("Président de club sportif", "Bénévole associative",
                    "Coordinatrice d'association"),
    "collectivite": ("Agent territorial", "Chargé de mission numérique"),
    "autre": ("Artisan", "Enseignante", "Retraité"),
}  # fmt: skip

AGE_WEIGHTS = {
    "default": {"-25": 8, "25-34": 38, "35-44": 30, "45-54": 15, "55-64": 7, "65+": 2},
    "etudiant": {"-25": 80, "25-34": 18, "35-44": 2, "45-54": 0, "55-64": 0, "65+": 0},
}

ORGANISATIONS = (
    "Pixel d'Anjou", "Loire Web Studio", "Atelier Maine Code", "Tuffeau Digital", "Ardoise & Co",
    "Studio Quatre Vents", "Baie de Loire Conseil", "Les Fabriques Angevines", "Rivage Numérique",
    "Anjou Data Lab", "Nébuleuse Agence", "Ponts & Pixels", "Carré Doutre Créations",
    "Hortensia Studio", "La Maison du Clic", "Vélo Loire Services", "Cap Ouest Formation",
    "Angers Ultimate Club", "Club des Développeurs Angevins", "Comptoir Photo Angers",
)  # fmt: skip

EMAIL_DOMAINS = ("example.org", "example.net", "example.com", "exemple.test")
MASTODON_INSTANCES = ("mastodon.example", "piaille.example", "framapiaf.example")

HEARD_FROM = (
    "Un twapéro", "Twitter", "Bouche-à-oreille", "Le barcamp", "Un article de presse",
    "Le site web", "Mastodon", "Mon école", "Un ami", "LinkedIn",
)  # fmt: skip

# (name, kind, hosts_events, funds, supports, founding_member, website host)
PARTNERS = (
    ("Ville d'Angers", "collectivite", False, True, True, True, "angers.example"),
    ("Angers Loire Métropole", "collectivite", False, True, True, True, "angersloiremetropole.example"),
    ("Région Pays de la Loire", "collectivite", False, True, False, False, "paysdelaloire.example"),
    ("Le Comptoir des Tanneurs", "lieu", True, False, True, False, "comptoirdestanneurs.example"),
    ("Université d'Angers", "ecole", True, False, True, False, "univ-angers.example"),
    ("École du Numérique d'Anjou", "ecole", True, False, True, False, "ecole-numerique-anjou.example"),
    ("Loire Web Studio", "entreprise", False, True, True, False, "loirewebstudio.example"),
    ("Tuffeau Digital", "entreprise", False, True, False, False, "tuffeau-digital.example"),
    ("Anjou Data Lab", "entreprise", True, False, True, False, "anjoudatalab.example"),
    ("Crédit Coopératif de l'Anjou", "entreprise", False, True, False, False, "cca.example"),
    ("Anjou Numérique Mag", "media", False, False, True, False, "anjou-numerique-mag.example"),
    ("Club des Développeurs Angevins", "association", True, False, True, True, "cda.example"),
    ("Angers Ultimate Club", "association", False, False, True, False, "angers-ultimate.example"),
)  # fmt: skip

BAR_NAME = "Le Comptoir des Tanneurs"
# The partner companies that sponsor talks and appear in outcomes.
COMPANY_PARTNERS = ("Loire Web Studio", "Tuffeau Digital", "Anjou Data Lab")
BAR_ADDRESS = "14 rue des Tanneurs imaginaires, 49100 Angers"

TALK_TOPICS = (
    ("Le RGPD sans douleur pour les indépendants", "rgpd"),
    ("Accessibilité numérique : par où commencer ?", "a11y"),
    ("Raconter son entreprise sur les réseaux sociaux", "socialmedia"),
    ("Financer son projet : prêts d'honneur et love money", "startup"),
    ("Le logiciel libre dans les collectivités", "logiciellibre"),
    ("Photographier la Loire en toutes saisons", "photo"),
    ("Écoconception de services numériques", "ecoconception"),
    ("Python pour les curieux", "python"),
    ("De salarié à freelance : retours d'expérience", "freelance"),
    ("Le design d'interface expliqué aux décideurs", "design"),
    ("Sécurité : les gestes qui sauvent", "securite"),
    ("L'intelligence artificielle, promesses et limites", "ia"),
    ("Créer une association sportive qui dure", "asso"),
    ("Les données ouvertes d'Angers", "opendata"),
    ("Podcast : lancer le sien en un mois", "podcast"),
)

WORKSHOP_TOPICS = (
    ("Atelier WordPress débutants", "wordpress"),
    ("Atelier retouche photo", "photo"),
    ("Atelier CV et LinkedIn", "emploi"),
    ("Atelier Git pour tous", "git"),
    ("Atelier réparation d'ordinateurs", "repaircafe"),
    ("Atelier pitch", "startup"),
    ("Atelier prise de parole", "pitch"),
    ("Atelier Canva et visuels", "design"),
    ("Atelier impression 3D", "fablab"),
    ("Atelier HTML et CSS", "web"),
    ("Atelier mots de passe et sauvegardes", "securite"),
    ("Atelier lumière et portrait", "photo"),
)

TRAINING_TOPICS = (
    ("Formation référencement naturel", "seo"),
    ("Formation gestion de projet agile", "agile"),
    ("Formation Python, niveau 1", "python"),
    ("Formation community management", "socialmedia"),
    ("Formation comptabilité pour micro-entrepreneurs", "freelance"),
    ("Formation accessibilité RGAA", "a11y"),
    ("Formation photographie de produit", "photo"),
    ("Formation tableur avancé", "bureautique"),
)

MEETUPS = (
    ("Meetup WordPress Angers", "wordpress"),
    ("Apéro photo", "photo"),
    ("Club JavaScript", "javascript"),
    ("Café des freelances", "freelance"),
    ("Meetup Python Angers", "python"),
    ("Soirée jeux de société", "jeux"),
    ("Repair café", "repaircafe"),
    ("Petit-déjeuner des entrepreneurs", "startup"),
    ("Permanence emploi numérique", "emploi"),
    ("Matinale du club sportif", "sport"),
    ("Portes ouvertes", "portesouvertes"),
    ("Hackathon de la solidarité", "hackathon"),
)

OUTLETS = (
    (5, "Ouest-France"),
    (4, "Le Courrier de l'Ouest"),
    (3, "Angers Mag"),
    (2, "Anjou Numérique Mag"),
    (2, "Vivre à Angers"),
    (1, "France 3 Pays de la Loire"),
    (1, "RCF Anjou"),
)

PRESS_TITLES = (
    "À Angers, le coworking de {space} ne désemplit pas",
    "Le twapéro, rendez-vous mensuel des Angevins connectés",
    "Barcamp {year} : {n} participants à {space}",
    "{space} fête ses {age} ans",
    "Travailler ensemble sans être collègues : visite de {space}",
    "Des ateliers numériques gratuits pour tous à {space}",
    "Le tiers-lieu {space} candidate au label Cantine numérique",
    "Freelances, étudiants et photographes se retrouvent à {space}",
    "Angers : un lieu où l'on vient chercher un bureau et trouve une communauté",
    "Rencontre avec l'équipe bénévole de {space}",
    "Le numérique responsable au programme de {space}",
    "Un hackathon pour les associations angevines",
)

TWAPERO_POSTS = (
    "Ce soir c'est #twapero au {bar} ! On vous attend dès 19h #angers",
    "Belle ambiance au #twapero ce soir, merci à tous ! #angers",
    "Premier #twapero pour moi, que de belles rencontres #angers",
    "On refait le monde (numérique) au #twapero #angers #mainelabs",
    "Toujours un plaisir ce #twapero, à dans un mois ! #angers",
    "Qui vient au #twapero jeudi ? #angers",
)
EVENT_POSTS = (
    "Super {kind} ce soir à @MaineLabs sur « {title} » #angers #{tag}",
    "Merci pour ce {kind} « {title} », plein d'idées à tester #{tag} #angers",
    "Inscriptions ouvertes : {title} à #mainelabs #{tag}",
    "En direct de « {title} » #mainelabs #angers",
)
BARCAMP_POSTS = (
    "C'est parti pour le #barcampangers ! #angers",
    "Session passionnante au #barcampangers sur #{tag}",
    "Merci aux orgas du #barcampangers, quelle journée ! #angers #mainelabs",
    "Je propose une session sur #{tag} au #barcampangers",
)
BACKGROUND_POSTS = (
    "Journée de travail au calme à #mainelabs #coworking #angers",
    "Le meilleur café de #angers est au #coworking de #mainelabs",
    "Une salle de réunion dispo à #angers ? #mainelabs a ce qu'il faut #coworking",
    "Nouveau bureau, nouvelle vie : bonjour #mainelabs #coworking",
    "Visite du #coworking #mainelabs avec des étudiants #angers",
)

OUTCOME_TEMPLATES = {
    "stage": ("Stage de {job} chez {org}", "Rencontre au {event}, stage de six mois."),
    "emploi": ("Embauche chez {org}", "Une discussion au {event} a mené à un CDI."),
    "mission": ("Mission {job} pour {org}", "Mission confiée entre membres du coworking."),
    "entreprise": ("Création {of_org}", "Entreprise créée après l'incubation au coworking."),
    "collaboration": (
        "Collaboration {job} avec {org}",
        "Projet commun lancé entre membres rencontrés au {event}.",
    ),
    "autre": ("Association créée : {org}", "Une nouvelle association née au coworking."),
}
OUTCOME_WEIGHTS = {
    "stage": 20,
    "emploi": 18,
    "mission": 26,
    "entreprise": 10,
    "collaboration": 20,
    "autre": 6,
}
OUTCOME_JOBS = ("développement web", "photographie", "communication", "design", "rédaction")
TESTIMONIALS = (
    "Sans le twapéro, je n'aurais jamais rencontré mon associé.",
    "J'ai trouvé mon stage en discutant autour d'un café au coworking.",
    "Le coworking m'a sortie de l'isolement du freelance.",
    "On a monté notre premier projet à trois après un barcamp.",
    "Ici, on trouve toujours quelqu'un pour relire un devis ou tester un site.",
    "Mes premiers clients sont venus des ateliers du mardi.",
)

BOARD_ROLES = (
    "Présidente",
    "Vice-président",
    "Trésorier",
    "Trésorière adjointe",
    "Secrétaire",
    "Membre du conseil d'administration",
    "Membre du conseil d'administration",
)

ANONYMOUS_VISITORS = ("Visiteur de passage", "Visiteuse de passage", "Invité d'un membre")

PLANS = (
    # kind, name, price in cents
    ("day_pass", "Passe journée", 800),
    ("ten_day_card", "Carte 10 jours", 7000),
    ("monthly", "Abonnement mensuel", 15000),
    ("annual", "Abonnement annuel", 120000),
    ("association_fee", "Adhésion à l'association", 2000),
)
