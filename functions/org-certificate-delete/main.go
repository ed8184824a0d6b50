// Command org-certificate-delete is the Lambda function of the portal route "org-certificate-delete".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-certificate-delete") }
