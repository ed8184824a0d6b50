// Command org-certificates-preview is the Lambda function of the portal route "org-certificates-preview".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-certificates-preview") }
